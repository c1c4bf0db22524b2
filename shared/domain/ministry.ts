/** A ministry (or regulator) id: a short upper-case code such as `AFSA` or `MINFIN`. Spelled here only. */
import * as z from 'zod';

/** The pattern every ministry code matches. */
export const MINISTRY_CODE = /^[A-Z][A-Z0-9]{1,15}$/;

/** A ministry code in a request, claim, catalog entry or receipt. */
export const ministryCodeSchema = z
  .string()
  .regex(MINISTRY_CODE, 'must be a short upper-case ministry code such as AFSA (letters and digits, 2–16)');
