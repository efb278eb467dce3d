/**
 * What the page shows and how it moves: the sessions (tracks), the one selected, the step
 * and time shown, playing or not. Each change goes through here; the pieces of the frame
 * (chart, panel, timeline, picker) only draw.
 */
import type { PageData } from '../pageData.js';
import type { InspectorStep } from '../protocol.js';
import { showOnChart } from './chart.js';
import { icon, ICON_PATHS } from './dom.js';
import { formatTime } from './format.js';
import type { Frame } from './frame.js';
import { showPanel } from './panel.js';
import { SessionPicker } from './sessionPicker.js';
import { Timeline } from './timeline.js';
import type { Track } from './tracks.js';

/** The last step at or before `time` (steps are in time order): a binary search, not a scan per frame. */
export function indexAt(track: Track, time: number): number {
  let low = 0;
  let high = track.steps.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (track.steps[middle]!.at <= time) low = middle;
    else high = middle - 1;
  }
  return low;
}

export class InspectorPage {
  readonly tracks: Track[] = [];
  selected: Track | undefined;
  index = 0;
  /** The time shown, on the selected session's clock (ms): a step's time, or between two while playing. */
  time = 0;
  playing = false;
  speed = 10;
  /** Live: keep to the newest step as steps arrive. */
  follow = true;

  readonly frame: Frame;
  readonly data: PageData;
  readonly timeline: Timeline;
  readonly picker: SessionPicker;
  readonly #playIcon = icon(ICON_PATHS.play);
  readonly #pauseIcon = icon(ICON_PATHS.pause);
  #lastFrame = 0;

  constructor(frame: Frame, data: PageData) {
    this.frame = frame;
    this.data = data;
    this.timeline = new Timeline(frame.events);
    this.picker = new SessionPicker(frame.sessions);
  }

  step(): InspectorStep | undefined {
    return this.selected?.steps[this.index];
  }

  /** Draws the step shown: chart, panel, slider, clock, current row, play button. */
  render(): void {
    const { frame, selected } = this;
    showOnChart(frame.chart, this.step());
    this.renderPanel();
    frame.slider.max = String(Math.max(0, (selected?.steps.length ?? 1) - 1));
    frame.slider.value = String(this.index);
    frame.clock.textContent = selected ? formatTime(selected, this.time) : '';
    this.timeline.mark(this.index);
    frame.play.replaceChildren(this.playing ? this.#pauseIcon : this.#playIcon, this.playing ? ' Pause' : ' Play');
    frame.play.setAttribute('aria-label', this.playing ? 'Pause' : 'Play');
  }

  renderPanel(): void {
    showPanel(this.frame.panel, this.data, { track: this.selected, index: this.index, time: this.time });
  }

  /** Shows `track`: at the same time as the session shown before, or from its first event. */
  select(track: Track | undefined, fromStart = false): void {
    const time = this.time;
    this.selected = track;
    this.index =
      !track || fromStart
        ? 0
        : this.follow && this.data.mode === 'live'
          ? track.steps.length - 1
          : indexAt(track, time);
    this.time = track?.steps[this.index]?.at ?? 0;
    this.picker.select(track);
    this.timeline.show(track);
    this.render();
  }

  goTo(index: number): void {
    const track = this.selected;
    if (!track || track.steps.length === 0) return;
    this.index = Math.max(0, Math.min(track.steps.length - 1, index));
    this.time = track.steps[this.index]!.at;
    this.follow = this.index === track.steps.length - 1;
    this.render();
  }

  play(on: boolean): void {
    const track = this.selected;
    if (!track || track.steps.length === 0) return;
    this.playing = on;
    if (on) {
      if (this.index >= track.steps.length - 1) {
        this.index = 0;
        this.time = track.steps[0]!.at;
      }
      this.#lastFrame = performance.now();
      requestAnimationFrame(this.#frame);
    }
    this.render();
  }

  readonly #frame = (now: number): void => {
    if (!this.playing) return;
    const track = this.selected;
    const last = track?.steps.at(-1);
    if (!track || !last) {
      this.playing = false;
      this.render();
      return;
    }
    this.time = Math.min(last.at, this.time + (now - this.#lastFrame) * this.speed);
    this.#lastFrame = now;
    this.index = indexAt(track, this.time);
    if (this.time >= last.at) this.playing = false;
    this.render();
    if (this.playing) requestAnimationFrame(this.#frame);
  };
}
