// The live view page: one panel per stream, fed by the stream's WebSocket. Each frame comes as its edge.view/1 JSON
// (text) followed by its JPEG (binary); the overlay is drawn from that JSON only, so it always matches the picture.
// Events (edge.event/1) come over the same socket. Plain modern JS, no build step.

const STAGES = [['queue', '#888'], ['preprocess', '#38c'], ['inference', '#c80'], ['decode', '#a3c'], ['total', '#2a7']];
const SPARK_POINTS = 120;
const EVENT_LINES = 50;

const token = readToken();

/** An API token may come in the address's fragment (#token=...), which is never sent to a server; it is kept for the tab. */
function readToken() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem('edge-token', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('edge-token');
}

function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return fetch(path, { ...init, headers });
}

/** The reason a refused request gives ({"error": ..., "status": N}), or its status line. */
async function reason(response) {
  try {
    const body = await response.json();
    if (body && body.error) return body.error;
  } catch { /* not JSON */ }
  return `${response.status} ${response.statusText}`;
}

class StreamPanel {
  constructor(stream, root) {
    this.id = stream.id;
    this.head = stream.heads[0] ?? '';
    this.pendingMeta = null;
    this.latest = null;
    this.drawing = false;
    this.latency = Object.fromEntries(STAGES.map(([stage]) => [stage, []]));
    this.budget = null;
    this.rows = new Map();

    const section = document.getElementById('stream-template').content.firstElementChild.cloneNode(true);
    section.id = `stream-${this.id}`;
    section.dataset.stream = this.id;
    const part = (selector, id) => {
      const element = section.querySelector(selector);
      element.id = `${id}-${this.id}`;
      element.dataset.stream = this.id;
      return element;
    };
    section.querySelector('.stream-id').textContent = this.id;
    section.querySelector('.head').textContent = this.head;
    this.connection = part('.connection', 'connection');
    this.video = part('.video', 'video');
    this.overlay = part('.overlay', 'overlay');
    this.frameNumber = part('.frame-number', 'frame');
    this.outcome = part('.outcome', 'outcome');
    this.labels = part('.labels', 'labels');
    this.deadline = part('.deadline', 'deadline');
    this.sparkline = part('.sparkline', 'latency');
    this.thresholds = part('.thresholds tbody', 'thresholds');
    this.events = part('.events', 'events');
    this.controlStatus = part('.control-status', 'control-status');
    part('.pause', 'pause').addEventListener('click', () => this.control('pause'));
    part('.resume', 'resume').addEventListener('click', () => this.control('resume'));
    section.querySelector('.legend').innerHTML = STAGES.map(([stage, colour]) => `<span style="color:${colour}">■ ${stage}</span>`).join('');
    root.append(section);

    for (const label of stream.labels) this.row(label.name, label.threshold);
    this.loadThresholds();
    this.connect();
  }

  connect() {
    const url = new URL(`streams/${encodeURIComponent(this.id)}/ws`, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.head) url.searchParams.set('head', this.head);
    if (token) url.searchParams.set('access_token', token);
    const socket = new WebSocket(url);
    socket.binaryType = 'blob';
    socket.onopen = () => this.setConnection('open', 'live');
    socket.onmessage = (message) => {
      if (typeof message.data === 'string') this.text(JSON.parse(message.data));
      else this.picture(message.data);
    };
    socket.onclose = (close) => {
      this.setConnection('closed', `disconnected (${close.code}${close.reason ? ` ${close.reason}` : ''}), retrying…`);
      setTimeout(() => this.connect(), 2000);
    };
  }

  setConnection(state, text) {
    this.connection.dataset.state = state;
    this.connection.textContent = text;
  }

  text(message) {
    if (message.schema === 'edge.event/1') this.event(message);
    else this.pendingMeta = message;
  }

  /** A JPEG: paired with the JSON that came just before it; only the newest waits while one is being drawn. */
  picture(blob) {
    const meta = this.pendingMeta;
    this.pendingMeta = null;
    if (!meta) return;
    this.latest = { meta, blob };
    if (!this.drawing) this.drawQueued();
  }

  async drawQueued() {
    this.drawing = true;
    try {
      while (this.latest) {
        const { meta, blob } = this.latest;
        this.latest = null;
        const bitmap = await createImageBitmap(blob);
        this.render(meta, bitmap);
        bitmap.close();
      }
    } finally {
      this.drawing = false;
    }
  }

  render(meta, bitmap) {
    const labels = meta.labels;
    const active = labels?.active ?? [];
    const scores = labels?.scores ?? {};
    const locations = labels?.locations ?? {};

    const canvas = this.video;
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    this.drawLocations(context, canvas, active, locations);
    this.drawLabelText(context, active, scores);
    canvas.dataset.frame = meta.frame;

    this.overlay.dataset.frame = meta.frame;
    this.overlay.dataset.head = meta.head;
    this.overlay.dataset.outcome = meta.outcome;
    this.frameNumber.textContent = `frame ${meta.frame}`;
    this.outcome.textContent = meta.outcome.replace('_', ' ');
    this.labels.replaceChildren(...active.map((name) => {
      const item = document.createElement('li');
      item.dataset.label = name;
      item.dataset.score = scores[name];
      item.textContent = `${name} ${Number(scores[name]).toFixed(2)}`;
      return item;
    }));

    this.deadline.dataset.met = meta.deadline_met === null ? '' : String(meta.deadline_met);
    this.budget = labels?.budget_ms ?? this.budget;
    const total = meta.latency_ms.total.toFixed(1);
    this.deadline.textContent = meta.deadline_met === null
      ? `deadline: none (frame ${meta.outcome.replace('_', ' ')})`
      : `deadline ${meta.deadline_met ? 'met' : 'missed'}: ${total} ms${this.budget ? ` of ${this.budget} ms` : ''}`;

    for (const name of Object.keys(scores)) this.row(name).score.textContent = Number(scores[name]).toFixed(3);
    for (const [name, row] of this.rows) row.element.dataset.active = String(active.includes(name));

    if (labels) {
      for (const [stage] of STAGES) {
        const series = this.latency[stage];
        series.push(meta.latency_ms[stage]);
        if (series.length > SPARK_POINTS) series.shift();
      }
      this.drawSparkline();
    }
  }

  /** Boxes and peaks from the activation maps (edge run --locate), normalised 0-1 to the frame. */
  drawLocations(context, canvas, active, locations) {
    context.lineWidth = Math.max(1, canvas.width / 200);
    context.font = `${Math.max(10, canvas.width / 28)}px system-ui, sans-serif`;
    for (const name of active) {
      const place = locations[name];
      if (!place) continue;
      context.strokeStyle = context.fillStyle = '#2f8';
      if (Array.isArray(place.box)) {
        const [left, top, right, bottom] = place.box;
        context.strokeRect(left * canvas.width, top * canvas.height, (right - left) * canvas.width, (bottom - top) * canvas.height);
        context.fillText(name, left * canvas.width + 2, top * canvas.height + context.lineWidth + 10);
      }
      context.beginPath();
      context.arc(place.x * canvas.width, place.y * canvas.height, 3 * context.lineWidth, 0, 2 * Math.PI);
      context.fill();
    }
  }

  drawLabelText(context, active, scores) {
    const size = Math.max(10, this.video.width / 24);
    context.font = `${size}px system-ui, sans-serif`;
    active.forEach((name, index) => {
      const text = `${name} ${Number(scores[name]).toFixed(2)}`;
      const y = (index + 1) * (size + 4);
      context.fillStyle = '#000a';
      context.fillRect(2, y - size, context.measureText(text).width + 6, size + 4);
      context.fillStyle = '#fff';
      context.fillText(text, 5, y);
    });
  }

  drawSparkline() {
    const canvas = this.sparkline;
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, canvas.width, canvas.height);
    const all = STAGES.flatMap(([stage]) => this.latency[stage]);
    const top = Math.max(1, this.budget ?? 0, ...all) * 1.1;
    const y = (ms) => canvas.height - (ms / top) * canvas.height;
    if (this.budget) {
      context.strokeStyle = '#c33';
      context.setLineDash([4, 3]);
      context.beginPath();
      context.moveTo(0, y(this.budget));
      context.lineTo(canvas.width, y(this.budget));
      context.stroke();
      context.setLineDash([]);
    }
    for (const [stage, colour] of STAGES) {
      const series = this.latency[stage];
      context.strokeStyle = colour;
      context.beginPath();
      series.forEach((ms, index) => {
        const x = (index / (SPARK_POINTS - 1)) * canvas.width;
        if (index === 0) context.moveTo(x, y(ms));
        else context.lineTo(x, y(ms));
      });
      context.stroke();
    }
    canvas.dataset.points = String(this.latency.total.length);
  }

  event(message) {
    const item = document.createElement('li');
    item.dataset.event = message.event;
    item.dataset.frame = message.frame;
    const detail = message.label ?? message.reason ?? message.profile ?? message.source ?? '';
    item.textContent = `${new Date(message.at).toLocaleTimeString()} ${message.event} ${detail} (frame ${message.frame})`;
    this.events.prepend(item);
    while (this.events.children.length > EVENT_LINES) this.events.lastElementChild.remove();
  }

  /** The table row of a label (made on first sight), with its threshold input and set button. */
  row(name, threshold) {
    let row = this.rows.get(name);
    if (!row) {
      const element = document.createElement('tr');
      element.dataset.label = name;
      element.innerHTML = '<td></td><td class="score">–</td><td><input type="number" min="0" max="1" step="0.01"></td><td><button type="button">set</button></td>';
      element.firstElementChild.textContent = name;
      const input = element.querySelector('input');
      input.id = `threshold-${this.id}-${name}`;
      input.dataset.label = name;
      element.querySelector('button').addEventListener('click', () => this.setThreshold(name, input.valueAsNumber));
      row = { element, input, score: element.querySelector('.score') };
      this.rows.set(name, row);
      this.thresholds.append(element);
    }
    if (threshold !== undefined && document.activeElement !== row.input) row.input.value = String(Number(threshold.toFixed(3)));
    return row;
  }

  /** Current thresholds from the control API, when it serves them; the configured ones stay otherwise. */
  async loadThresholds() {
    try {
      const response = await api(`/api/v1/streams/${encodeURIComponent(this.id)}/thresholds`);
      if (!response.ok) return;
      this.showThresholds(await response.json());
    } catch { /* no control API: keep what streams.json said */ }
  }

  showThresholds(body) {
    const labels = body?.labels ?? body;
    if (!labels || typeof labels !== 'object') return;
    for (const [name, value] of Object.entries(labels)) {
      const threshold = typeof value === 'number' ? value : value?.threshold;
      if (typeof threshold === 'number') this.row(name, threshold);
    }
  }

  async setThreshold(name, value) {
    if (!(value >= 0 && value <= 1)) {
      this.say(`threshold of ${name} must be a number from 0 to 1`, false);
      return;
    }
    const response = await api(`/api/v1/streams/${encodeURIComponent(this.id)}/thresholds`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ [name]: { threshold: value } }),
    });
    if (response.ok) {
      this.say(`${name}: threshold ${value}`, true);
      try { this.showThresholds(await response.json()); } catch { /* an empty answer is fine */ }
    } else {
      this.say(`threshold not set: ${await reason(response)}`, false);
    }
  }

  async control(action) {
    const response = await api(`/api/v1/streams/${encodeURIComponent(this.id)}/${action}`, { method: 'POST' });
    this.say(response.ok ? `${action}d` : `${action} refused: ${await reason(response)}`, response.ok);
  }

  say(text, ok) {
    this.controlStatus.textContent = text;
    this.controlStatus.dataset.ok = String(ok);
  }
}

async function start() {
  const status = document.getElementById('status');
  const root = document.getElementById('streams');
  try {
    const response = await api('streams.json');
    if (!response.ok) throw new Error(await reason(response));
    const document_ = await response.json();
    for (const stream of document_.streams) new StreamPanel(stream, root);
    status.dataset.state = 'ready';
    status.textContent = document_.streams.length === 0
      ? 'no stream is being labelled yet: reload once one runs'
      : `${document_.streams.length} stream(s), video at up to ${document_.max_fps} fps`;
  } catch (error) {
    status.dataset.state = 'error';
    status.textContent = `could not load the streams: ${error.message}`;
  }
}

start();
