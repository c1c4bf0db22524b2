/** The registry URL check (no server-side request forgery): https, and never a private or reserved address. */
import { describe, expect, it } from 'vitest';
import { isForbiddenAddress, registryUrlProblem } from '../../shared/domain/registry-url';

describe('registryUrlProblem', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.1/receipts',
    'https://172.16.5.4/',
    'https://192.168.1.1/',
    'https://100.64.0.1/',
    'https://127.0.0.1/',
    'https://0.0.0.0/',
    'https://0x7f.1/', // hex
    'https://0177.0.0.1/', // octal
    'https://2130706433/', // decimal
    'https://0xa9fea9fe/', // 169.254.169.254 in hex
    'https://[::1]/',
    'https://[::]/',
    'https://[::ffff:169.254.169.254]/', // IPv4-mapped
    'https://[0:0:0:0:0:ffff:a00:1]/', // 10.0.0.1 mapped, spelt long
    'https://[64:ff9b::a9fe:a9fe]/', // NAT64
    'https://[2002:a9fe:a9fe::]/', // 6to4
    'https://[fd00:ec2::254]/', // the EC2 metadata service over IPv6
    'https://[fe80::1]/',
    'https://[ff02::1]/',
    'https://localhost/',
    'https://registry.localhost/',
    'https://metadata.google.internal/',
    'https://printer.local/',
    'https://intranet/',
    'https://user:pass@registry.example.kz/',
    'http://registry.example.kz/',
    'ftp://registry.example.kz/',
    'not a url',
  ])('refuses %s', (url) => {
    expect(registryUrlProblem(url)).toBeDefined();
  });

  it.each(['https://registry.afsa.kz/receipts', 'https://93.184.216.34/r', 'https://[2606:4700::1111]/r'])(
    'accepts %s',
    (url) => {
      expect(registryUrlProblem(url)).toBeUndefined();
    },
  );

  it('the local allowance admits http to loopback only, never another private address', () => {
    const local = { allowLocalLoopback: true };
    expect(registryUrlProblem('http://127.0.0.1:4100/registries/AFSA/receipts', local)).toBeUndefined();
    expect(registryUrlProblem('http://localhost:4100/r', local)).toBeUndefined();
    expect(registryUrlProblem('http://169.254.169.254/', local)).toBeDefined();
    expect(registryUrlProblem('https://10.0.0.1/', local)).toBeDefined();
    expect(registryUrlProblem('file:///etc/passwd', local)).toBeDefined();
  });

  it('judges resolved addresses the same way (the request-time check)', () => {
    expect(isForbiddenAddress('10.1.2.3')).toBe(true);
    expect(isForbiddenAddress('::ffff:10.1.2.3')).toBe(true);
    expect(isForbiddenAddress('8.8.8.8')).toBe(false);
    expect(isForbiddenAddress('not-an-ip')).toBe(true);
  });
});
