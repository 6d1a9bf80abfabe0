// The map: a local metric plane around the city centre, drawn on a <canvas>. No tiles needed.
const R_LAT = 110540; // metres per degree of latitude (good to 0.5 % at any latitude)

export class MapView {
  constructor(canvas, centre) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.lon0 = centre[0];
    this.lat0 = centre[1];
    this.kx = 111320 * Math.cos((this.lat0 * Math.PI) / 180);
    this.vx = 0; // view centre in metres
    this.vy = 0;
    this.scale = 0.5; // pixels per metre
    this.resize();
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.width = Math.max(1, r.width);
    this.height = Math.max(1, r.height);
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  toLocal([lon, lat]) { return [(lon - this.lon0) * this.kx, (lat - this.lat0) * R_LAT]; }
  toGeo([x, y]) { return [this.lon0 + x / this.kx, this.lat0 + y / R_LAT]; }
  toScreen([x, y]) { return [this.width / 2 + (x - this.vx) * this.scale, this.height / 2 - (y - this.vy) * this.scale]; }
  fromScreen(sx, sy) { return [this.vx + (sx - this.width / 2) / this.scale, this.vy - (sy - this.height / 2) / this.scale]; }
  geoToScreen(p) { return this.toScreen(this.toLocal(p)); }
  screenToGeo(sx, sy) { return this.toGeo(this.fromScreen(sx, sy)); }

  fit(bbox) {
    const [w, s] = this.toLocal([bbox[0], bbox[1]]);
    const [e, n] = this.toLocal([bbox[2], bbox[3]]);
    this.vx = (w + e) / 2;
    this.vy = (s + n) / 2;
    this.scale = Math.min(this.width / Math.max(1, e - w), this.height / Math.max(1, n - s)) * 0.95;
  }

  zoomAt(sx, sy, factor) {
    const before = this.fromScreen(sx, sy);
    this.scale = Math.min(50, Math.max(0.02, this.scale * factor));
    const after = this.fromScreen(sx, sy);
    this.vx += before[0] - after[0];
    this.vy += before[1] - after[1];
  }

  panBy(dx, dy) {
    this.vx -= dx / this.scale;
    this.vy += dy / this.scale;
  }

  // Paths from GeoJSON coordinates.
  ring(ctx, ring) {
    ring.forEach((p, i) => {
      const [x, y] = this.geoToScreen(p);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.closePath();
  }

  polygon(rings, fill, stroke, lineWidth = 1) {
    const ctx = this.ctx;
    ctx.beginPath();
    rings.forEach((r) => this.ring(ctx, r));
    if (fill) { ctx.fillStyle = fill; ctx.fill('evenodd'); }
    if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = lineWidth; ctx.stroke(); }
  }

  line(coords, stroke, lineWidth) {
    const ctx = this.ctx;
    ctx.beginPath();
    coords.forEach((p, i) => {
      const [x, y] = this.geoToScreen(p);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.strokeStyle = stroke;
    ctx.lineWidth = lineWidth;
    ctx.lineCap = 'round';
    ctx.stroke();
  }

  dot(p, radius, fill, stroke) {
    const ctx = this.ctx;
    const [x, y] = this.geoToScreen(p);
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, 2 * Math.PI);
    if (fill) { ctx.fillStyle = fill; ctx.fill(); }
    if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = 1.5; ctx.stroke(); }
  }
}

// Red (0 %) → amber → green (100 %).
export function coverageColour(fraction, alpha = 0.55) {
  const f = Math.max(0, Math.min(1, fraction));
  const hue = 120 * f;
  return `hsla(${hue}, 75%, 45%, ${alpha})`;
}
