import { useMemo, useState, type FormEvent } from 'react';
import {
  certifyDevice,
  checkWord,
  createDeviceKey,
  createMnemonic,
  deriveIdentity,
  validateDisplayName,
  validateMnemonic,
  type MnemonicError,
} from '../../identity';
import type { DeviceIdentity } from './keystore';
import { recoveryWordsThisSession } from './session';

type Step =
  | { kind: 'choose' }
  | { kind: 'show-words'; words: string[] }
  | { kind: 'confirm-words'; words: string[]; ask: number[] }
  | { kind: 'enter-words' }
  | { kind: 'name'; words: string[] };

/// First run: a person is a key made from 12 words. Create new words (and prove they were
/// written down) or bring existing ones; then name this device.
export function Onboarding({ onDone }: { onDone: (identity: DeviceIdentity) => Promise<void> }) {
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  switch (step.kind) {
    case 'choose':
      return (
        <Screen title="Welcome to Notes">
          <p>
            Your notes live on your devices. You are known by a key made from 12 recovery words: there is no account and no password. Whoever has the
            words is you, on any device.
          </p>
          <div className="onboarding__actions">
            <button type="button" onClick={() => setStep({ kind: 'show-words', words: createMnemonic().split(' ') })}>
              Create a new identity
            </button>
            <button type="button" onClick={() => setStep({ kind: 'enter-words' })}>
              I have 12 words
            </button>
          </div>
        </Screen>
      );
    case 'show-words':
      return (
        <Screen title="Your recovery words">
          <p>Write these 12 words down, in order, and keep them somewhere safe. They are the only way back to your notes on a new device. They are not stored anywhere.</p>
          <ol aria-label="Recovery words" className="recovery-words">
            {step.words.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ol>
          <button type="button" onClick={() => setStep({ kind: 'confirm-words', words: step.words, ask: pickThree() })}>
            Continue
          </button>
        </Screen>
      );
    case 'confirm-words':
      return <ConfirmWords words={step.words} ask={step.ask} onBack={() => setStep({ kind: 'show-words', words: step.words })} onConfirmed={() => setStep({ kind: 'name', words: step.words })} />;
    case 'enter-words':
      return <EnterWords onValid={(words) => setStep({ kind: 'name', words })} />;
    case 'name':
      return (
        <NameDevice
          onSubmit={async (displayName) => {
            const { identityKey } = deriveIdentity(step.words.join(' '));
            const device = createDeviceKey();
            const certificate = certifyDevice(identityKey, { devicePublicKey: device.publicKey, displayName, createdAt: Date.now() });
            recoveryWordsThisSession.set(step.words);
            await onDone({ identity: identityKey, device, certificate });
          }}
        />
      );
  }
}

function Screen({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="onboarding">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

function pickThree(): number[] {
  const picked = new Set<number>();
  const random = new Uint32Array(16);
  crypto.getRandomValues(random);
  for (const r of random) {
    picked.add(r % 12);
    if (picked.size === 3) break;
  }
  return [...picked].sort((a, b) => a - b);
}

function ConfirmWords({ words, ask, onBack, onConfirmed }: { words: string[]; ask: number[]; onBack: () => void; onConfirmed: () => void }) {
  const [wrong, setWrong] = useState<number[]>([]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const mistakes = ask.filter((i) => String(form.get(`word-${i}`) ?? '').trim().toLowerCase() !== words[i]);
    setWrong(mistakes);
    if (mistakes.length === 0) onConfirmed();
  };
  return (
    <Screen title="Check your words">
      <p>To be sure they are written down, type these three of your words.</p>
      <form onSubmit={submit} className="onboarding__form">
        {ask.map((i) => (
          <label key={i}>
            Word {i + 1}
            <input name={`word-${i}`} aria-label={`Word ${i + 1}`} autoComplete="off" autoCapitalize="none" spellCheck={false} aria-invalid={wrong.includes(i)} />
          </label>
        ))}
        {wrong.length > 0 ? <p role="alert">{wrong.map((i) => `Word ${i + 1}`).join(', ')} {wrong.length === 1 ? 'does' : 'do'} not match. Look at what you wrote down.</p> : null}
        <div className="onboarding__actions">
          <button type="button" onClick={onBack}>
            Show the words again
          </button>
          <button type="submit">Continue</button>
        </div>
      </form>
    </Screen>
  );
}

function describeProblem(error: MnemonicError): string {
  switch (error.kind) {
    case 'word-count':
      return `${error.count} of 12 words.`;
    case 'unknown-word':
      return `Word ${error.index} (“${error.word}”) is not a recovery word.${error.suggestions.length > 0 ? ` Did you mean ${error.suggestions.slice(0, 3).join(', ')}?` : ''}`;
    case 'checksum':
      return 'These 12 words do not belong together: one of them is wrong or out of order.';
  }
}

function EnterWords({ onValid }: { onValid: (words: string[]) => void }) {
  const [text, setText] = useState('');
  const typed = useMemo(() => text.trim().split(/\s+/).filter((w) => w !== ''), [text]);
  const validation = useMemo(() => validateMnemonic(text), [text]);
  // As you type: the word being typed is checked against the list; earlier words must be whole.
  const current = /\s$/.test(text) ? null : (typed[typed.length - 1] ?? null);
  const currentCheck = current ? checkWord(current) : null;
  const firstUnknown = typed.findIndex((w, i) => (i < typed.length - 1 || current === null) && !checkWord(w).isWord);
  let message: string | null = null;
  if (firstUnknown >= 0) message = describeProblem({ kind: 'unknown-word', index: firstUnknown + 1, word: typed[firstUnknown]!, suggestions: checkWord(typed[firstUnknown]!.slice(0, 3)).completions });
  else if (currentCheck && currentCheck.completions.length === 0) message = `“${current}” does not start any recovery word.`;
  else if (typed.length === 12 && !validation.ok) message = describeProblem(validation.error);
  return (
    <Screen title="Enter your 12 words">
      <form
        className="onboarding__form"
        onSubmit={(e) => {
          e.preventDefault();
          if (validation.ok) onValid(validation.words);
        }}
      >
        <label>
          Your recovery words, in order
          <textarea
            aria-label="Enter your 12 words"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={4}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            aria-invalid={message !== null}
            aria-describedby="words-status"
          />
        </label>
        <p id="words-status" role="status">
          {message ?? (validation.ok ? 'All 12 words check out.' : `${typed.length} of 12 words.`)}
          {currentCheck && currentCheck.completions.length > 0 && !currentCheck.isWord ? ` ${currentCheck.completions.slice(0, 4).join(', ')}…` : ''}
        </p>
        <button type="submit" disabled={!validation.ok}>
          Continue
        </button>
      </form>
    </Screen>
  );
}

function NameDevice({ onSubmit }: { onSubmit: (name: string) => Promise<void> }) {
  const [name, setName] = useState(defaultDeviceName());
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Screen title="Name this device">
      <form
        className="onboarding__form"
        onSubmit={async (e) => {
          e.preventDefault();
          const check = validateDisplayName(name.trim());
          if (!check.ok) return setProblem('Give a name of 1 to 64 characters.');
          setBusy(true);
          try {
            await onSubmit(name.trim());
          } catch (error) {
            setProblem(`Could not keep the keys on this device: ${error instanceof Error ? error.message : String(error)}`);
            setBusy(false);
          }
        }}
      >
        <p>Others in your notebooks see this name next to your cursor.</p>
        <label>
          Display name
          <input aria-label="Display name" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} />
        </label>
        {problem ? <p role="alert">{problem}</p> : null}
        <button type="submit" disabled={busy}>
          Continue
        </button>
      </form>
    </Screen>
  );
}

function defaultDeviceName(): string {
  const ua = navigator.userAgent;
  if (/Android/.test(ua)) return 'Android phone';
  if (/iPhone/.test(ua)) return 'iPhone';
  if (/Mac/.test(ua)) return 'Mac';
  if (/Windows/.test(ua)) return 'Windows PC';
  return 'My device';
}
