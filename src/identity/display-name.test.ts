import { describe, expect, it } from 'vitest';
import { DISPLAY_NAME_MAX_CODE_POINTS, validateDisplayName } from './display-name';

describe('validateDisplayName', () => {
  it('accepts ordinary names up to 64 code points, counting an emoji as one', () => {
    expect(validateDisplayName('Anna’s laptop')).toEqual({ ok: true, name: 'Anna’s laptop' });
    expect(validateDisplayName('📱'.repeat(DISPLAY_NAME_MAX_CODE_POINTS)).ok).toBe(true);
  });

  it('rejects blank, too long, control characters and lone surrogates with a typed reason', () => {
    expect(validateDisplayName('')).toEqual({ ok: false, error: { kind: 'empty' } });
    expect(validateDisplayName(' \t ')).toEqual({ ok: false, error: { kind: 'empty' } });
    expect(validateDisplayName('x'.repeat(65))).toEqual({ ok: false, error: { kind: 'too-long', maxCodePoints: 64 } });
    expect(validateDisplayName('one\ntwo')).toEqual({ ok: false, error: { kind: 'control-character' } });
    expect(validateDisplayName('bell\u0007')).toEqual({ ok: false, error: { kind: 'control-character' } });
    expect(validateDisplayName('broken \ud800')).toEqual({ ok: false, error: { kind: 'not-well-formed' } });
  });
});
