// Notes that read like a person's: titles from everyday templates, a few paragraphs of
// sentences whose words follow a Zipf-like skew (a few very common, a long tail of names and
// jargon), now and then a heading or a bullet list. Seeded, so every run writes the same
// notes and searches for the same things. Used by the app harness (e2e/harness/app.ts).
import { seededRandom } from '../../src/sync/testing/fixtures';
import { vocabulary, zipfPicker } from './storage-bench';

export type CorpusBlock =
  | { readonly kind: 'heading'; readonly level: 1 | 2; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'bullets'; readonly items: readonly string[] };

export interface CorpusNote {
  /// The first line of the note: what the list shows as its title.
  readonly title: string;
  readonly blocks: readonly CorpusBlock[];
  readonly updatedAt: number;
}

const FUNCTION_WORDS = 'the a to of and in for with on is we it that this at by from be as our will should can need about not but or'.split(' ');
// Ordered roughly from common to rare: the Zipf picker favours the front.
const CONTENT_WORDS = (
  'time work team plan week project meeting idea call email list review budget design ' +
  'customer release draft question feedback schedule deadline notes report goal launch ' +
  'kitchen garden book chapter recipe dinner coffee market train flight hotel museum ' +
  'write read check send share finish start move fix update decide remember ask ' +
  'quick careful early late important simple new old open final weekly monthly quarterly ' +
  'server database browser phone laptop sync offline storage search keyboard screen ' +
  'invoice contract lawyer dentist doctor school teacher parents birthday present party ' +
  'running bicycle mountain river beach forest weather rain snow summer winter autumn ' +
  'bread cheese tomatoes lemons olive pasta soup salad onions garlic pepper butter ' +
  'essay poem novel author library podcast lecture workshop conference interview ' +
  'hiring onboarding roadmap metrics dashboard latency incident outage migration backlog ' +
  'painting guitar piano photography pottery knitting chess climbing swimming yoga ' +
  'renovation plumber electrician insurance mortgage taxes receipts warranty furniture'
).split(' ');
const NAMES = 'Ada Grace Linus Margaret Alan Barbara Ken Dennis Frances Edsger Radia Tim Hedy Katherine Guido Anders Bjarne Donald Leslie Niklaus'.split(' ');
const PLACES = 'Lisbon Kyoto Oslo Berlin Toronto Nairobi Lima Hanoi Dublin Porto Seville Tallinn Krakow Bergen Valencia Zurich Ghent Lyon Turin Graz'.split(' ');
const PROJECTS = 'Aurora Basalt Cobalt Delta Ember Fjord Granite Harbor Iris Juniper'.split(' ');
const DISHES = 'lentil soup|lemon tart|mushroom risotto|shakshuka|banana bread|pad thai|ratatouille|focaccia|dal|gazpacho'.split('|');
const WEEKDAYS = 'Monday Tuesday Wednesday Thursday Friday Saturday Sunday'.split(' ');

const DAY_MS = 24 * 3600e3;

/// `count` notes, newest first, last edited over the two years before `now`.
export function generateNotes(count: number, seed: number, now: number): CorpusNote[] {
  const next = seededRandom(seed);
  const words = makeWords(next);
  const notes: CorpusNote[] = [];
  let at = now - 5 * 60e3;
  const spacing = (2 * 365 * DAY_MS) / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const title = words.title();
    const blocks: CorpusBlock[] = [next() < 0.5 ? { kind: 'heading', level: 1, text: title } : { kind: 'paragraph', text: title }];
    const paragraphs = 2 + Math.floor(next() * 4);
    for (let p = 0; p < paragraphs; p++) {
      if (p > 0 && next() < 0.15) blocks.push({ kind: 'heading', level: 2, text: capitalise(words.phrase(2 + Math.floor(next() * 3))) });
      if (next() < 0.2) blocks.push({ kind: 'bullets', items: Array.from({ length: 3 + Math.floor(next() * 3) }, () => capitalise(words.phrase(2 + Math.floor(next() * 5)))) });
      else blocks.push({ kind: 'paragraph', text: Array.from({ length: 2 + Math.floor(next() * 4) }, () => words.sentence()).join(' ') });
    }
    notes.push({ title, blocks, updatedAt: Math.round(at) });
    at -= spacing * (0.5 + next());
  }
  return notes;
}

/// What people type into search: common words, names, rare terms, a few letters of a word
/// (results as you type), two words.
export function searchQueries(count: number, seed: number): string[] {
  const next = seededRandom(seed);
  const words = makeWords(next);
  return Array.from({ length: count }, () => {
    const r = next();
    if (r < 0.35) return words.content();
    if (r < 0.55) return words.name();
    if (r < 0.7) return words.rare();
    if (r < 0.9) {
      const word = next() < 0.7 ? words.content() : words.name();
      return word.slice(0, Math.min(word.length, 3 + Math.floor(next() * 3)));
    }
    return `${words.content()} ${words.content()}`;
  });
}

function makeWords(next: () => number) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const content = zipfPicker(CONTENT_WORDS, next);
  const rareWords = vocabulary(3000, next);
  const rare = zipfPicker(rareWords, next);
  const name = () => pick(next() < 0.5 ? NAMES : next() < 0.6 ? PLACES : PROJECTS);
  const word = () => {
    const r = next();
    if (r < 0.35) return pick(FUNCTION_WORDS);
    if (r < 0.85) return content();
    if (r < 0.93) return name();
    return rare();
  };
  const phrase = (n: number) => Array.from({ length: n }, word).join(' ');
  const titles: (() => string)[] = [
    () => `Meeting with ${pick(NAMES)} about the ${content()}`,
    () => `${capitalise(content())} ideas`,
    () => `Notes on ${content()} and ${content()}`,
    () => `Trip to ${pick(PLACES)}`,
    () => `Recipe: ${pick(DISHES)}`,
    () => `Weekly review, week ${1 + Math.floor(next() * 52)}`,
    () => `${pick(PROJECTS)} ${content()} retrospective`,
    () => `Reading: ${capitalise(content())} and the ${rare()}`,
    () => `Call with ${pick(NAMES)}`,
    () => `To do: ${content()} the ${content()}`,
    () => `${pick(PROJECTS)}: ${content()} plan`,
    () => `Groceries for ${pick(WEEKDAYS)}`,
  ];
  return {
    content,
    name,
    rare,
    phrase,
    title: () => pick(titles)(),
    sentence: () => `${capitalise(phrase(6 + Math.floor(next() * 11)))}.`,
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
