/** The session picker: one button per track, made once and updated in place as its track changes. */
import { fill, h } from './dom.js';
import type { Track } from './tracks.js';

export class SessionPicker {
  readonly #nav: HTMLElement;
  readonly #buttons = new Map<Track, HTMLButtonElement>();

  constructor(nav: HTMLElement) {
    this.#nav = nav;
  }

  /** Adds `track`'s button, or brings it up to date: its name, its state, whether it is gone. */
  update(track: Track, selected: Track | undefined): void {
    let button = this.#buttons.get(track);
    if (!button) {
      button = h('button', { type: 'button', 'data-track': track.key });
      this.#buttons.set(track, button);
      this.#nav.appendChild(button);
    }
    const state = track.steps.at(-1)?.to ?? '';
    button.setAttribute('aria-pressed', String(track === selected));
    button.classList.toggle('gone', track.gone);
    const small = [state, track.detail, track.gone ? 'disconnected' : ''].filter(Boolean).join(' · ');
    fill(button, h('strong', {}, track.label), h('small', {}, small));
  }

  /** Marks `selected`'s button pressed and the others not. */
  select(selected: Track | undefined): void {
    for (const [track, button] of this.#buttons) button.setAttribute('aria-pressed', String(track === selected));
  }

  /** The track of a clicked button. */
  trackOf(target: EventTarget | null): Track | undefined {
    const button = (target as Element | null)?.closest<HTMLButtonElement>('button[data-track]');
    if (!button) return undefined;
    for (const [track, candidate] of this.#buttons) if (candidate === button) return track;
    return undefined;
  }
}
