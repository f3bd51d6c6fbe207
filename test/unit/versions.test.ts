import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { classifyLiteLLM, INSTALL_REQUIREMENT, installRequirement, parseLiteLLMVersion, TESTED_LITELLM } from '../../src/runtime/litellm-versions.js';
import { comparePep440, parsePep440 } from '../../src/runtime/pep440.js';
import { isSupportedPython } from '../../src/runtime/python.js';
import { profileShapeFor } from '../../src/config/codex-config.js';

describe('PEP 440 ordering', () => {
  it.each([
    ['1.83.10', '1.83.9', 1],
    ['1.103.0', '1.99.9', 1],
    ['1.103.0.dev2', '1.103.0', -1],
    ['1.103.0.dev2', '1.102.0', 1],
    ['1.103.0rc1', '1.103.0', -1],
    ['1.103.0rc1', '1.103.0.dev2', 1],
    ['1.103.0a1', '1.103.0b1', -1],
    ['1.77.2.post1', '1.77.2', 1],
    ['1.77.2.post1', '1.77.3', -1],
    ['1.0', '1.0.0', 0],
    ['1.74.15.post2', '1.74.15.post1', 1],
  ])('%s vs %s', (a, b, expected) => {
    expect(comparePep440(a, b)).toBe(expected);
    expect(comparePep440(b, a)).toBe(expected === 0 ? 0 : -expected);
  });

  it('rejects what is not a version', () => {
    expect(parsePep440('banana')).toBeNull();
  });
});

describe('which LiteLLM bridges', () => {
  it.each([
    ['1.82.7', 'compromised'],
    ['1.82.8', 'compromised'],
    ['1.63.8', 'too-old'],
    ['1.66.3', 'too-old'],
    ['1.67.0', 'too-old'],
    ['1.83.13', 'too-old'],
    ['1.83.14.dev1', 'too-old'],
    ['1.83.14', 'bridges'],
    ['1.108.7', 'bridges'],
    ['1.103.0.dev2', 'bridges'],
  ])('%s -> %s', (version, expected) => {
    expect(classifyLiteLLM(version).kind).toBe(expected);
  });

  it('installs exactly the tested release, which bridges', () => {
    expect(INSTALL_REQUIREMENT).toBe(`litellm[proxy]==${TESTED_LITELLM}`);
    expect(classifyLiteLLM(TESTED_LITELLM).kind).toBe('bridges');
    expect(installRequirement('1.90.1')).toBe('litellm[proxy]==1.90.1');
  });
});

describe('--litellm-version', () => {
  it.each(['1.83.14', '1.108.7', '1.90.0rc1', '1.84.0.post1'])('accepts %s', (version) => {
    expect(parseLiteLLMVersion(version)).toBe(version);
  });

  it.each([
    ['1.82.7', /credential stealer/],
    ['1.82.8', /credential stealer/],
    ['1.83.13', /too old.*1\.83\.14/],
    ['1.83.14rc1', /too old/],
    ['1.63.8', /too old/],
    ['latest', /not a LiteLLM release number/],
    ['>=1.90', /not a LiteLLM release number/],
    ['1.90.0; rm -rf /', /not a LiteLLM release number/],
    ['1', /not a LiteLLM release number/],
  ])('refuses %s as a usage error (exit 2)', (version, message) => {
    let caught: unknown;
    try {
      parseLiteLLMVersion(version);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).exitCode).toBe(2);
    expect((caught as UserError).message).toMatch(message);
  });
});

describe('Python and Codex versions', () => {
  it('needs Python 3.9 or newer', () => {
    expect(isSupportedPython('3.8.18')).toBe(false);
    expect(isSupportedPython('3.9.0')).toBe(true);
    expect(isSupportedPython('3.14.1')).toBe(true);
  });

  it('picks the profile shape from the Codex version', () => {
    expect(profileShapeFor('0.133.9')).toBe('table');
    expect(profileShapeFor('0.134.0')).toBe('file');
    expect(profileShapeFor('0.169.0')).toBe('file');
    expect(profileShapeFor('1.0.0')).toBe('file');
    expect(profileShapeFor(null)).toBe('file');
  });
});
