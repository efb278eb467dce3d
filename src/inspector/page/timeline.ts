/**
 * The event list under the panel. Rows are appended as steps arrive and never rebuilt, so
 * catching up with n steps builds n rows: linear, where rebuilding the list per step was
 * quadratic. Only showing another session rebuilds it, once.
 */
import type { InspectorStep } from '../protocol.js';
import { h } from './dom.js';
import { formatTime } from './format.js';
import type { Track } from './tracks.js';

function row(track: Track, step: InspectorStep, index: number): HTMLLIElement {
  const move = step.from === null ? step.to : step.ignored ? `${step.to} (ignored)` : `${step.from} → ${step.to}`;
  return h(
    'li',
    { 'data-index': index, class: step.ignored ? 'ignored' : undefined },
    h('span', { class: 'at' }, formatTime(track, step.at)),
    h('span', { class: 'event' }, step.event.label),
    h('span', { class: 'move' }, move),
    h('span', { class: 'callbacks' }, step.callbacks.join(' ')),
  );
}

export class Timeline {
  readonly #list: HTMLOListElement;
  #track: Track | undefined;
  #current: HTMLLIElement | undefined;

  constructor(list: HTMLOListElement) {
    this.#list = list;
  }

  /** Shows `track`'s steps (none: an empty list). */
  show(track: Track | undefined): void {
    this.#track = track;
    this.#current = undefined;
    this.#list.replaceChildren();
    this.sync();
  }

  /** Adds the rows of steps that arrived since the last call. */
  sync(): void {
    const track = this.#track;
    if (!track) return;
    const rows = this.#list.childElementCount;
    if (rows >= track.steps.length) return;
    const added = document.createDocumentFragment();
    for (let index = rows; index < track.steps.length; index++)
      added.appendChild(row(track, track.steps[index]!, index));
    this.#list.appendChild(added);
  }

  /** Marks row `index` as the one shown, and scrolls it into sight. */
  mark(index: number): void {
    const next = this.#list.children[index] as HTMLLIElement | undefined;
    if (next === this.#current) return;
    this.#current?.classList.remove('current');
    this.#current = next;
    if (next) {
      next.classList.add('current');
      next.scrollIntoView({ block: 'nearest' });
    }
  }
}
