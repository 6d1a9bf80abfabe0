// Every tile of the page on one WebSocket, GET /api/live (docs/live.md, "The wall's socket").
// A browser opens one WebSocket per host at a time, and a page busy appending the first tiles'
// frames opened a 16-tile wall's later sockets up to seconds late; on one socket, opened once,
// the page asks for every camera at once. Messages for a tile carry its number: text messages
// a "tile" field, binary ones their first two bytes (big-endian).
//
// A tile is an object with `index` (0 to 35), `request()` ({camera, stream, codecs}), and the
// handlers `onText(message)`, `onBinary(bytes)` and `onDisconnected()`.
export class LiveSocket {
  constructor({ timing = false } = {}) {
    this.timing = timing;
    this.tiles = new Map();
    this.closed = false;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.socket = new WebSocket(`${scheme}://${location.host}/api/live${this.timing ? '?timing=1' : ''}`);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onopen = () => {
      this.openedAt ??= performance.now();
      for (const tile of this.tiles.values()) this.sendAdd(tile);
    };
    this.socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        const message = JSON.parse(event.data);
        const tile = this.tiles.get(message.tile);
        if (tile) tile.onText(message);
        else if (message.type === 'error') console.warn('live:', message.field, message.message);
        return;
      }
      if (event.data.byteLength < 2) return;
      const tile = this.tiles.get(new DataView(event.data).getUint16(0));
      if (tile) tile.onBinary(new Uint8Array(event.data, 2));
    };
    this.socket.onclose = () => {
      if (this.closed) return;
      for (const tile of this.tiles.values()) tile.onDisconnected();
      setTimeout(() => this.connect(), 2000);
    };
  }

  get isOpen() { return this.socket.readyState === WebSocket.OPEN; }

  // A tile number not in use, the one free longest (messages of a removed tile still on their
  // way then do not reach the next).
  freeIndex() {
    this.recent ??= [];
    for (let i = 0; i < 36; i++) if (!this.tiles.has(i) && !this.recent.includes(i)) return i;
    for (const i of this.recent) if (!this.tiles.has(i)) return i;
    return null;
  }

  add(tile) {
    this.tiles.set(tile.index, tile);
    if (this.isOpen) this.sendAdd(tile);
  }

  // Asks again for a tile's camera (after the server ended it for a while).
  again(tile) {
    if (this.tiles.get(tile.index) === tile && this.isOpen) this.sendAdd(tile);
  }

  remove(tile) {
    if (this.tiles.get(tile.index) !== tile) return;
    this.tiles.delete(tile.index);
    this.recent = (this.recent || []).filter((i) => i !== tile.index).concat([tile.index]);
    if (this.isOpen) this.socket.send(JSON.stringify({ type: 'remove', tile: tile.index }));
  }

  sendAdd(tile) {
    tile.asked = performance.now();
    this.socket.send(JSON.stringify({ type: 'add', tile: tile.index, ...tile.request() }));
  }

  close() {
    this.closed = true;
    this.socket.close();
  }
}
