/** The expected signer field every verification form shows (prefilled with the address /v1/health publishes). */
import type { ConsoleLang } from '../../contract';
import { strings } from './strings';

export function ExpectedSignerField(props: { lang: ConsoleLang; value: string; onInput: (value: string) => void }) {
  const t = strings[props.lang];
  return (
    <p>
      <label for="expected-signer">{t.expectedSigner}</label>
      <input
        id="expected-signer"
        name="expected-signer"
        value={props.value}
        spellcheck={false}
        autocomplete="off"
        pattern="0x[0-9a-fA-F]{40}"
        size={44}
        aria-describedby="expected-signer-hint"
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value.trim())}
      />
      <small id="expected-signer-hint">{strings[props.lang].signerHint}</small>
    </p>
  );
}
