/// Longest display name, in Unicode code points.
export const DISPLAY_NAME_MAX_CODE_POINTS = 64;
/// Longest display name in UTF-8 bytes (every code point is at most 4 bytes).
export const DISPLAY_NAME_MAX_BYTES = DISPLAY_NAME_MAX_CODE_POINTS * 4;

/// Why a device display name was rejected.
export type DisplayNameError =
  | { readonly kind: 'empty' }
  | { readonly kind: 'too-long'; readonly maxCodePoints: number }
  | { readonly kind: 'control-character' }
  | { readonly kind: 'not-well-formed' };

export type DisplayNameValidation =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly error: DisplayNameError };

/// Checks a device display name: not blank, at most 64 code points, no control characters,
/// and well-formed Unicode (a lone surrogate would not survive the UTF-8 round trip in a certificate).
export function validateDisplayName(name: string): DisplayNameValidation {
  if (/\p{Cs}/u.test(name)) return { ok: false, error: { kind: 'not-well-formed' } };
  if (name.trim() === '') return { ok: false, error: { kind: 'empty' } };
  if ([...name].length > DISPLAY_NAME_MAX_CODE_POINTS) {
    return { ok: false, error: { kind: 'too-long', maxCodePoints: DISPLAY_NAME_MAX_CODE_POINTS } };
  }
  // Newlines and other controls would let a name fake extra lines in the UI.
  if (/\p{Cc}/u.test(name)) return { ok: false, error: { kind: 'control-character' } };
  return { ok: true, name };
}
