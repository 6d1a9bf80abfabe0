// Continuous playback (issue 19, part 4; docs/ui.md, "Playback"): a chain of short pieces of
// recorded video, each an ordinary /api/cameras/{id}/recording.mp4?start=&end= inside one recorded
// run, played in two <video> elements that take turns. While one plays, the other has already
// loaded the next piece and holds its first frame; when the first ends, the second starts at
// once. A piece never spans a gap (the runs listing says where they are), so the wall time of the
// picture is always the piece's start plus currentTime, and a gap is skipped by starting the next
// piece at the next run, with a notice. At the end of what is recorded so far the player waits
// for the recorder's next commit and goes on.
import { api } from './api.js';

// Whether this browser plays H.265 in a <video> (Debian's Chromium does not).
export const HEVC = ['hvc1.1.6.L93.B0', 'hev1.1.6.L93.B0'].some((c) => document.createElement('video').canPlayType(`video/mp4; codecs="${c}"`) !== '');

/// Seconds of video in one piece: a rotation (about a minute) usually falls inside one, and at 16×
/// a piece still lasts almost 4 s, time enough to load the next.
export const PIECE_MS = 60_000;
/// Pieces of H.265 footage that the server converts to H.264 for a browser without HEVC: the
/// server encodes a whole piece before its first byte, about a fifth of its length on one core
/// (performance.md), so a short piece starts playing within a second or two, and the next one is
/// ready before it ends.
export const CONVERTED_PIECE_MS = 8_000;
/// A run that ends sooner than this after a moment is over for the player (a piece needs a frame).
const MIN_MS = 300;

function iso(ms) { return new Date(ms).toISOString(); }

export class ChainedPlayer {
  /// `videos`: the two <video> elements; `events`: callbacks (gap, waiting, position, firstFrame, state).
  constructor(videos, events = {}) {
    this.videos = videos;
    this.frontIndex = 0;
    this.events = events;
    this.camera = null;
    this.stream = 'main';    // or 'sub', when the camera's sub stream is recorded too
    this.pieceMs = PIECE_MS; // CONVERTED_PIECE_MS when the server converts what it sends
    this.convert = !HEVC;    // ask for H.265 footage converted to H.264
    this.rate = 1;
    this.playing = false;
    this.generation = 0;
    this.current = null;     // {start, end, url, gap} of the piece in the front element
    this.next = null;        // a Promise of the next piece, loaded into the back element
    this.listing = null;     // {from, to, fetched, runs}
    this.finishedFrames = 0; // frames decoded by pieces already played
    this.skipped = [];       // gaps skipped while playing on: {from, to}
    this.pieces = 0;         // pieces started by the chain (not by a seek)
    this.fps = 25;
    for (const video of videos) {
      video.muted = true;
      video.playsInline = true;
      video.preload = 'auto';
      video.addEventListener('ended', () => { if (video === this.front) this.advance(); });
      video.addEventListener('error', () => { if (video === this.front && video.getAttribute('src')) this.events.error?.(new Error(video.error?.message || 'video error')); });
    }
    this.arrange();
  }

  get front() { return this.videos[this.frontIndex]; }
  get back() { return this.videos[1 - this.frontIndex]; }

  /// The front element carries id="video" (what tests and the page read), the back one is hidden
  /// but rendered, so its first frame is decoded before it is shown.
  arrange() {
    this.front.id = 'video';
    this.back.id = 'video-next';
    this.front.classList.add('front'); this.front.classList.remove('back');
    this.back.classList.add('back'); this.back.classList.remove('front');
  }

  /// The wall time shown now (ms since the epoch), or null.
  position() {
    if (!this.current) return null;
    return this.current.start + this.front.currentTime * 1000;
  }

  /// Frames decoded since playback began: pieces played plus the one playing.
  framesDecoded() {
    return this.finishedFrames + (this.front.getVideoPlaybackQuality?.().totalVideoFrames || 0);
  }

  url(piece) {
    // A browser without HEVC asks for H.265 footage converted to H.264 (the server leaves H.264
    // footage as recorded); docs/live.md, "Every camera in every browser".
    const convert = this.convert ? '&codec=h264' : '';
    return `/api/cameras/${this.camera}/recording.mp4?start=${encodeURIComponent(iso(piece.start))}&end=${encodeURIComponent(iso(piece.end))}${convert}${this.streamQuery()}`;
  }

  /// `&stream=sub` for the sub stream's recordings; nothing for the main stream's.
  streamQuery() {
    return this.stream === 'sub' ? '&stream=sub' : '';
  }

  /// Runs around `ms`, from a listing already fetched (the page hands over the timeline's) when it
  /// covers the moments needed and they cannot have changed since: they ended more than a minute
  /// before it was fetched, or it is at most 2 s old.
  async runs(ms, ahead = 15 * 60_000) {
    const now = Date.now();
    const l = this.listing;
    const needed = Math.min(ms + ahead, now);
    if (l && l.camera === this.camera && l.from <= ms && needed <= l.to && (needed < l.fetched - 60_000 || now - l.fetched < 2000)) return l.runs;
    const from = ms - 60_000, to = Math.min(ms + ahead, now + 60_000);
    const listing = await api(`/api/cameras/${this.camera}/recordings?start=${encodeURIComponent(iso(from))}&end=${encodeURIComponent(iso(Math.max(to, from + 120_000)))}${this.streamQuery()}`);
    const runs = listing.runs.map((r) => ({ start: Date.parse(r.start), end: Date.parse(r.end), frames: r.frames }));
    this.listing = { camera: this.camera, from, to, fetched: now, runs };
    return runs;
  }

  /// A listing the page fetched (the timeline's window), so that a seek needs no request of its own.
  know(from, to, fetched, runs) {
    this.listing = { camera: this.camera, from, to, fetched, runs: runs.map((r) => ({ start: +r.start, end: +r.end, frames: r.frames })) };
  }

  /// The piece that plays from `ms`: inside the run holding `ms`, or from the start of the next
  /// run (with the gap it skips); `{waiting}` at the end of what is recorded so far.
  async plan(ms) {
    let runs = await this.runs(ms);
    let run = runs.find((r) => r.start <= ms && ms < r.end - MIN_MS);
    let gap = null;
    if (!run) {
      run = runs.find((r) => r.start >= ms && r.end - r.start > MIN_MS);
      if (!run && this.listing.to < Math.min(ms + 30 * 86_400_000, Date.now() - 60_000)) {
        // Nothing in the next minutes: look up to 30 days on.
        runs = await this.runs(ms, 30 * 86_400_000);
        run = runs.find((r) => r.start >= ms && r.end - r.start > MIN_MS);
      }
      if (!run) return { waiting: true, at: ms };
      if (run.start - ms > MIN_MS) gap = { from: ms, to: run.start };
      ms = run.start;
    }
    const seconds = (run.end - run.start) / 1000;
    if (run.frames && seconds > 1) this.fps = run.frames / seconds;
    const piece = { start: ms, end: Math.min(ms + this.pieceMs, run.end), gap };
    piece.url = this.url(piece);
    return piece;
  }

  /// Shows the moment `ms` (after the gap that holds it, if it is in one) and plays on from there
  /// when `play`; reports the time to the first decoded frame.
  async seek(ms, { play = this.playing } = {}) {
    const generation = ++this.generation;
    this.playing = play;
    this.next = null;
    this.back.removeAttribute('src');
    this.back.load();
    const asked = performance.now();
    let piece;
    try { piece = await this.plan(ms); } catch (error) { this.events.error?.(error); return; }
    if (generation !== this.generation) return;
    if (piece.waiting) { this.wait(piece.at, generation); return; }
    if (piece.gap) this.events.gap?.(piece.gap, 'seek');
    this.finishedFrames = 0;
    this.load(this.front, piece);
    this.current = piece;
    const video = this.front;
    const first = () => { if (generation === this.generation) this.events.firstFrame?.(performance.now() - asked, piece); };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(first); else video.addEventListener('loadeddata', first, { once: true });
    if (play) video.play().catch(() => {});
    this.prepare(generation);
  }

  load(video, piece) {
    video.src = piece.url;
    video.defaultPlaybackRate = this.rate;
    video.playbackRate = this.rate;
  }

  /// Plans the piece after the current one and loads it into the back element.
  prepare(generation) {
    const after = this.current.end;
    this.next = this.plan(after).then((piece) => {
      if (generation !== this.generation) return null;
      if (!piece.waiting) this.load(this.back, piece);
      return piece;
    }).catch(() => null);
  }

  /// The front piece ended: start the back one (already loaded) or, if the recording grew less
  /// than the listing said, plan again from where the video really ended.
  async advance() {
    const generation = this.generation;
    const ended = this.current.start + this.front.duration * 1000;
    const next = await this.next;
    if (generation !== this.generation) return;
    this.finishedFrames += this.front.getVideoPlaybackQuality?.().totalVideoFrames || 0;
    if (!next || next.waiting || (!next.gap && next.start - ended > 1000)) {
      if (next && next.waiting) this.wait(ended, generation); else await this.continueFrom(ended, generation);
      return;
    }
    const old = this.front;
    this.frontIndex = 1 - this.frontIndex;
    this.arrange();
    this.current = next;
    this.pieces += 1;
    this.front.playbackRate = this.rate;
    if (this.playing) this.front.play().catch(() => {});
    old.pause();
    old.removeAttribute('src');
    old.load();
    if (next.gap) this.events.gap?.(next.gap, 'play');
    this.events.state?.();
    this.prepare(generation);
  }

  async continueFrom(ms, generation) {
    let piece;
    try { piece = await this.plan(ms); } catch (error) { this.events.error?.(error); return; }
    if (generation !== this.generation) return;
    if (piece.waiting) { this.wait(ms, generation); return; }
    this.load(this.front, piece);
    this.current = piece;
    this.pieces += 1;
    if (piece.gap) this.events.gap?.(piece.gap, 'play');
    if (this.playing) this.front.play().catch(() => {});
    this.prepare(generation);
  }

  /// At the end of what is recorded so far: ask again every 2 s until there is more.
  wait(ms, generation) {
    this.events.waiting?.(true, ms);
    const poll = async () => {
      if (generation !== this.generation) return;
      this.listing = null;
      let piece;
      try { piece = await this.plan(ms); } catch { piece = { waiting: true }; }
      if (generation !== this.generation) return;
      if (piece.waiting) { setTimeout(poll, 2000); return; }
      this.events.waiting?.(false, ms);
      await this.continueFrom(ms, generation);
    };
    setTimeout(poll, 2000);
  }

  play() {
    this.playing = true;
    if (this.current) this.front.play().catch(() => {});
    this.events.state?.();
  }

  pause() {
    this.playing = false;
    this.front.pause();
    this.events.state?.();
  }

  setRate(rate) {
    this.rate = rate;
    for (const video of this.videos) { video.defaultPlaybackRate = rate; video.playbackRate = rate; }
  }

  /// One frame forward (+1) or back (−1), paused; across a piece's edge by a seek.
  step(direction) {
    this.pause();
    if (!this.current) return;
    const video = this.front;
    const frame = Math.round(video.currentTime * this.fps) + direction;
    const time = frame / this.fps;
    if (time < 0 || (Number.isFinite(video.duration) && time >= video.duration)) {
      this.seek(this.position() + (direction * 1000) / this.fps, { play: false });
      return;
    }
    // A little past the frame's start, so that rounding never shows the one before.
    video.currentTime = time + 0.25 / this.fps;
  }
}
