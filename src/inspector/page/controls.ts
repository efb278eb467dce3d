/** The page's controls: the picker, the rows, the slider, the buttons, the keys. */
import type { InspectorPage } from './inspector.js';

export function wireControls(page: InspectorPage): void {
  const { frame } = page;
  const stopThen = (move: () => void) => () => {
    page.play(false);
    move();
  };
  frame.sessions.addEventListener('click', (event) => {
    const track = page.picker.trackOf(event.target);
    if (track) page.select(track);
  });
  frame.events.addEventListener('click', (event) => {
    const row = (event.target as Element).closest<HTMLLIElement>('li[data-index]');
    if (row) stopThen(() => page.goTo(Number(row.dataset.index)))();
  });
  frame.slider.addEventListener('input', () => {
    const index = Number(frame.slider.value); // before play(false) renders the old one back
    stopThen(() => page.goTo(index))();
  });
  frame.first.addEventListener(
    'click',
    stopThen(() => page.goTo(0)),
  );
  frame.back.addEventListener(
    'click',
    stopThen(() => page.goTo(page.index - 1)),
  );
  frame.forward.addEventListener(
    'click',
    stopThen(() => page.goTo(page.index + 1)),
  );
  frame.last.addEventListener(
    'click',
    stopThen(() => page.goTo(Number.MAX_SAFE_INTEGER)),
  );
  frame.play.addEventListener('click', () => page.play(!page.playing));
  frame.speed.addEventListener('change', () => {
    page.speed = Number(frame.speed.value);
  });
  frame.zoom.addEventListener('click', () => {
    const actual = frame.chartArea.classList.toggle('actual-size');
    frame.zoom.setAttribute('aria-pressed', String(actual));
    frame.zoom.textContent = actual ? 'fit' : '100%';
  });
  const moves: Record<string, () => void> = {
    ArrowLeft: () => page.goTo(page.index - 1),
    ArrowRight: () => page.goTo(page.index + 1),
    Home: () => page.goTo(0),
    End: () => page.goTo(Number.MAX_SAFE_INTEGER),
  };
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    // The slider moves itself and reports through `input`; the speed list takes its own keys.
    if (target.matches('input, select, textarea')) return;
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      stopThen(move)();
    } else if (event.key === ' ' && !target.matches('button')) {
      event.preventDefault();
      page.play(!page.playing);
    }
  });
}
