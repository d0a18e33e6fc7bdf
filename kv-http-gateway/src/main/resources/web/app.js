// The kvdb web page: keys (get, set, delete, a paged list with a prefix filter), a live feed of
// changes and a live picture of the cluster. Plain browser JavaScript, no build step. Every URL is relative to the page, so the
// page works wherever the gateway is served from; all data is inserted as text, never as HTML.
// When the leader requires a bearer token, the API answers 401 and the page asks for one, keeps it
// in sessionStorage (this tab only, gone when it closes) and sends it with every request.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#db2777', '#0891b2', '#65a30d',
    '#dc2626', '#4f46e5', '#0d9488'];
  const CLUSTER_POLL_MS = 2000;

  // ---- Token ----------------------------------------------------------------------------------

  const TOKEN_KEY = 'kvdb.token';
  // Tokens are visible ASCII without spaces (the leader's rule); anything else cannot be a header.
  const TOKEN_CHARS = /^[\x21-\x7e]+$/;
  // The open dialog: every request that got a 401 meanwhile waits for the same answer. Once the
  // user cancels it, 401s stop asking (the cluster poll would reopen it every 2 s) until they
  // click "sign in".
  const prompt = { pending: null, resolve: null, declined: false };

  function storedToken() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function showAuth() {
    $('signed-in').hidden = storedToken() === null;
    $('signed-out').hidden = storedToken() !== null || !prompt.declined;
  }

  /** Opens the token dialog; resolves to true once a token is stored, false when cancelled. */
  function askForToken(reason) {
    $('token-reason').textContent = reason;
    if (prompt.pending) return prompt.pending;
    prompt.pending = new Promise((resolve) => { prompt.resolve = resolve; });
    $('token').value = '';
    $('token-dialog').showModal();
    return prompt.pending;
  }

  function closePrompt(stored) {
    const resolve = prompt.resolve;
    prompt.pending = null;
    prompt.resolve = null;
    prompt.declined = !stored;
    if ($('token-dialog').open) $('token-dialog').close();
    showAuth();
    if (resolve) resolve(stored);
  }

  function submitToken(event) {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!TOKEN_CHARS.test(token)) {
      $('token-reason').textContent = 'A token is visible ASCII characters without spaces.';
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    closePrompt(true);
  }

  function signOut(event) {
    event.preventDefault();
    sessionStorage.removeItem(TOKEN_KEY);
    prompt.declined = false;
    showAuth();
    refreshAll();
  }

  function signIn(event) {
    event.preventDefault();
    prompt.declined = false;
    refreshAll();
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  /**
   * Calls the gateway; always resolves to {ok, status, json}, with json.error on failure. A 401 asks
   * for a token and tries again with it, until the gateway accepts one or the user cancels.
   */
  async function call(method, url, body) {
    for (;;) {
      const token = storedToken();
      const r = await send(method, url, body, token);
      if (r.status !== 401 || prompt.declined) {
        showAuth();
        return r;
      }
      const reason = token === null ? '' : 'That token was refused: ' + r.json.error;
      if (!(await askForToken(reason))) return r;
    }
  }

  async function send(method, url, body, token) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (token !== null) init.headers['Authorization'] = 'Bearer ' + token;
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      return { ok: false, status: 0, json: { error: 'gateway unreachable: ' + e.message } };
    }
    let json;
    try {
      json = await response.json();
    } catch (e) {
      json = { error: 'HTTP ' + response.status + ' without a JSON body' };
    }
    // Reads served from followers while the leader is unreachable say so in these headers.
    const stale = response.headers.get('X-KV-Stale') === 'true';
    return { ok: response.ok, status: response.status, json, stale,
      appliedSeq: response.headers.get('X-KV-Applied-Seq') };
  }

  /** The URL of a key: one encoded path segment. "." and ".." cannot be one (URL rules). */
  function keyUrl(action, key) {
    return key === '.' || key === '..' ? null : action + '/' + encodeURIComponent(key);
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== '' && value !== undefined && value !== null) q.set(name, value);
    }
    const text = q.toString();
    return text ? '?' + text : '';
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) node.append(child);
    return node;
  }

  function svg(tag, attrs = {}, parent) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (parent) parent.append(node);
    return node;
  }

  // ---- Key panel: get, set, delete --------------------------------------------------------------

  const valueIsBase64 = { current: false };

  function showResult(ok, message, json) {
    const box = $('result');
    box.replaceChildren(el('div', { className: ok ? 'ok' : 'err', textContent: message }));
    if (json) box.append(el('pre', { textContent: JSON.stringify(json, null, 2) }));
  }

  function currentKey() {
    const key = $('key').value;
    if (key === '') {
      showResult(false, 'Enter a key first.');
      return null;
    }
    return key;
  }

  /** "Set failed (403): ..." and, for a token that may not do this, how to use another. */
  function failure(action, r) {
    return action + ' failed (' + r.status + '): ' + r.json.error
      + (r.status === 403 ? ' Sign out (top right) to use another token.' : '');
  }

  function whereItWent(json) {
    const followers = json.followers && json.followers.length
      ? 'followers ' + json.followers.join(', ') : 'no follower yet (leader only)';
    return 'shard ' + json.shard + ', seq ' + json.seq + ', ' + followers;
  }

  async function setKey(event) {
    event.preventDefault();
    const key = currentKey();
    if (key === null) return;
    const body = { key, value: $('value').value };
    if (valueIsBase64.current) body.encoding = 'base64';
    const r = await call('POST', 'set', body);
    showResult(r.ok, r.ok ? 'Stored "' + key + '": ' + whereItWent(r.json) : failure('Set', r), r.json);
    if (r.ok) refreshAll();
  }

  async function getKey() {
    const key = currentKey();
    if (key === null) return;
    const url = keyUrl('get', key);
    if (url === null) return showResult(false, 'The keys "." and ".." cannot be read through a URL.');
    const r = await call('GET', url);
    if (r.ok) {
      $('value').value = r.json.value;
      valueIsBase64.current = r.json.encoding === 'base64';
      showResult(true, 'Got "' + key + '"' + (valueIsBase64.current
        ? ' (not UTF-8: shown as base64, and Set stores it back as bytes)' : '')
        + (r.stale ? ' (stale: read from a follower at applied seq ' + r.appliedSeq + ')' : ''), r.json);
    } else {
      showResult(false, r.status === 404 ? 'Key "' + key + '" not found.' : failure('Get', r), r.json);
    }
  }

  async function deleteKey() {
    const key = currentKey();
    if (key === null) return;
    const url = keyUrl('delete', key);
    if (url === null) return showResult(false, 'The keys "." and ".." cannot be deleted through a URL.');
    const r = await call('DELETE', url);
    showResult(r.ok, r.ok ? 'Deleted "' + key + '" from ' + whereItWent(r.json)
      : r.status === 404 ? 'Key "' + key + '" not found.' : failure('Delete', r), r.json);
    if (r.ok) refreshAll();
  }

  // ---- Key list: prefix filter and paging ---------------------------------------------------

  // cursors[i] is the "after" of page i; the first page starts at the beginning.
  const list = { cursors: [''], page: 0, nextAfter: null };

  async function loadPage() {
    const params = { prefix: $('prefix').value, after: list.cursors[list.page], limit: $('page-size').value };
    const r = await call('GET', 'all' + query(params));
    const body = $('keys-table').tBodies[0];
    if (!r.ok) {
      body.replaceChildren(el('tr', {}, el('td', { colSpan: 2, className: 'none',
        textContent: 'Could not list keys (' + r.status + '): ' + r.json.error })));
      $('next-btn').disabled = true;
      return;
    }
    const rows = r.json.items.map((item) => {
      const value = el('td', { textContent: item.value, title: item.value });
      if (item.encoding === 'base64') value.append(el('span', { className: 'tag', textContent: 'base64' }));
      const row = el('tr', {}, el('td', { className: 'key', textContent: item.key, title: item.key }), value);
      row.dataset.key = item.key;
      row.addEventListener('click', () => {
        $('key').value = item.key;
        $('value').value = item.value;
        valueIsBase64.current = item.encoding === 'base64';
        showResult(true, 'Loaded "' + item.key + '" into the form.');
      });
      return row;
    });
    if (rows.length === 0) {
      rows.push(el('tr', {}, el('td', { colSpan: 2, className: 'none',
        textContent: list.page === 0 ? 'No keys' + ($('prefix').value ? ' with this prefix.' : ' yet.') : 'No more keys.' })));
    }
    body.replaceChildren(...rows);
    list.nextAfter = r.json.has_more ? r.json.next_after : null;
    $('next-btn').disabled = list.nextAfter === null;
    $('prev-btn').disabled = list.page === 0;
    $('page-info').textContent = 'page ' + (list.page + 1);
  }

  function restartList(event) {
    if (event) event.preventDefault();
    list.cursors = [''];
    list.page = 0;
    loadPage();
  }

  function nextPage() {
    if (list.nextAfter === null) return;
    list.cursors[list.page + 1] = list.nextAfter;
    list.page += 1;
    loadPage();
  }

  function prevPage() {
    if (list.page === 0) return;
    list.page -= 1;
    loadPage();
  }

  // ---- Cluster picture ----------------------------------------------------------------------

  function colorsOf(followers) {
    const ids = followers.map((f) => f.id).sort();
    const colors = new Map();
    ids.forEach((id, i) => colors.set(id, PALETTE[i % PALETTE.length]));
    return colors;
  }

  function formatMs(ms) {
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    return Math.round(ms / 60000) + ' min';
  }

  function renderLeader(status) {
    const badge = $('leader');
    badge.className = 'leader up';
    badge.textContent = 'leader ' + status.leader_id.slice(0, 8) + ' · epoch ' + status.epoch;
  }

  function renderSummary(status) {
    const alive = status.followers.filter((f) => f.alive).length;
    const facts = [
      [status.keys, 'keys'],
      [status.head_seq_total, 'writes'],
      [status.shards, 'shards'],
      [alive + ' / ' + status.followers.length, 'followers alive'],
      [status.replication_factor, 'copies per shard (R)'],
      [status.unplaced_shards.length, 'shards on the leader only'],
      [status.durable ? 'sync' : 'async', 'durability'],
    ];
    $('cluster-summary').replaceChildren(...facts.map(([value, label]) =>
      el('div', {}, el('b', { textContent: String(value) }), el('span', { textContent: label }))));
  }

  /**
   * One cell per shard, striped by its holders' colours, with the first holder's progress bar; a red
   * frame marks a shard with fewer than R caught-up copies (under_replicated_shards), a cross one that
   * a rebuild of the leader found no copy of (missing_shards: its writes are refused).
   */
  function renderShardMap(status, colors) {
    const map = $('shard-map');
    const shards = status.shards;
    const cols = Math.min(16, Math.max(1, Math.ceil(Math.sqrt(2 * shards))));
    const rows = Math.ceil(shards / cols);
    const size = 34;
    const gap = 4;
    map.setAttribute('viewBox', '0 0 ' + (cols * (size + gap)) + ' ' + (rows * (size + gap)));
    // Few shards would otherwise blow up into huge cells.
    map.style.maxWidth = Math.round(cols * (size + gap) * 1.5) + 'px';
    map.replaceChildren();
    const unplaced = new Set(status.unplaced_shards);
    const underReplicated = new Set(status.under_replicated_shards || []);
    const missing = new Set(status.missing_shards || []);
    for (let shard = 0; shard < shards; shard++) {
      const x = (shard % cols) * (size + gap);
      const y = Math.floor(shard / cols) * (size + gap);
      const holders = status.followers.filter((f) => f.shards.includes(shard));
      const incoming = status.followers.filter((f) => f.incoming_shards.includes(shard));
      const cell = svg('g', { class: 'shard', 'data-shard': shard,
        'data-holders': holders.map((f) => f.id).join(','),
        'data-under-replicated': String(underReplicated.has(shard)),
        'data-missing': String(missing.has(shard)) }, map);
      const tip = ['shard ' + shard];
      if (holders.length === 0) {
        svg('rect', { x, y, width: size, height: size, rx: 4, fill: 'var(--unplaced)' }, cell);
        tip.push('only on the leader');
      }
      holders.forEach((f, i) => {
        const h = size / holders.length;
        svg('rect', { x, y: y + i * h, width: size, height: h, rx: holders.length === 1 ? 4 : 0,
          fill: colors.get(f.id), 'fill-opacity': f.alive ? 0.85 : 0.3 }, cell);
        const p = f.progress.find((pr) => pr.shard === shard);
        tip.push('held by ' + f.id + (f.alive ? '' : ' (dead)')
          + (p ? ', applied ' + p.applied_seq + ' / ' + p.head_seq : ''));
      });
      if (unplaced.has(shard) && holders.length > 0) tip.push('no live holder');
      incoming.forEach((f) => {
        svg('rect', { x: x + 1.5, y: y + 1.5, width: size - 3, height: size - 3, rx: 4, fill: 'none',
          stroke: colors.get(f.id), 'stroke-width': 2.5, 'stroke-dasharray': '4 3', class: 'incoming' }, cell);
        tip.push(f.id + ' is catching up to take it over');
      });
      if (underReplicated.has(shard)) {
        svg('rect', { x: x + 0.75, y: y + 0.75, width: size - 1.5, height: size - 1.5, rx: 4, fill: 'none',
          stroke: 'var(--under-replicated)', 'stroke-width': 1.5, class: 'under-replicated' }, cell);
        tip.push('under-replicated: fewer than ' + status.replication_factor + ' caught-up copies');
      }
      if (missing.has(shard)) {
        // Below the shard's number, so that it stays readable.
        const left = x + 10;
        const right = x + size - 10;
        const top = y + 14;
        const bottom = y + size - 8;
        svg('path', { d: 'M' + left + ' ' + top + 'L' + right + ' ' + bottom + 'M' + right + ' ' + top + 'L' + left
          + ' ' + bottom, stroke: 'var(--missing)', 'stroke-width': 2.5, 'stroke-linecap': 'round', fill: 'none',
          class: 'missing' }, cell);
        tip.push('missing: no follower held a copy when the leader was rebuilt; writes refused until'
          + ' --allow-missing-shards');
      }
      const first = holders[0];
      const progress = first && first.progress.find((pr) => pr.shard === shard);
      if (progress) {
        const ratio = progress.head_seq === 0 ? 1 : Math.min(1, progress.applied_seq / progress.head_seq);
        svg('rect', { x: x + 4, y: y + size - 7, width: size - 8, height: 3, fill: '#fff', 'fill-opacity': 0.7 }, cell);
        svg('rect', { x: x + 4, y: y + size - 7, width: (size - 8) * ratio, height: 3, fill: '#111827',
          class: 'progress' }, cell);
      }
      const label = svg('text', { x: x + 4, y: y + 11 }, cell);
      label.textContent = String(shard);
      svg('title', {}, cell).textContent = tip.join('\n');
    }
  }

  function renderLegend(status, colors) {
    const items = status.followers.map((f) =>
      el('span', {}, el('i', { style: 'background:' + colors.get(f.id) }), f.id));
    items.push(el('span', {}, el('i', { style: 'background:var(--unplaced)' }), 'leader only'));
    items.push(el('span', {}, el('i', { className: 'under-replicated' }), 'under-replicated'));
    items.push(el('span', {}, el('i', { className: 'missing' }), 'missing (rebuilt without a copy)'));
    $('legend').replaceChildren(...items);
  }

  /** A card per follower: liveness, what it holds, and its lag as bars (events and time). */
  function renderFollowers(status, colors) {
    const none = status.followers.length === 0;
    $('no-followers').hidden = !none;
    const maxEvents = Math.max(1, ...status.followers.map((f) => f.lag_events));
    const maxMs = Math.max(1, ...status.followers.map((f) => f.lag_ms));
    const cards = status.followers.map((f) => {
      const card = el('div', { className: 'follower' + (f.alive ? '' : ' dead') });
      card.dataset.id = f.id;
      card.style.setProperty('--c', colors.get(f.id));
      card.append(el('h3', {}, el('span', { className: 'dot' }),
        el('span', { textContent: f.id }), el('small', { textContent: f.alive ? 'alive' : 'dead' })));
      const meta = [f.address, f.shards.length + ' shards', 'applied ' + f.applied_total,
        'seen ' + formatMs(f.last_seen_ms_ago) + ' ago'];
      if (f.incoming_shards.length) meta.push('catching up ' + f.incoming_shards.length + ' shard(s): '
        + f.incoming_shards.join(', '));
      card.append(el('div', { className: 'meta', textContent: meta.join(' · ') }));
      card.append(lagChart(f, maxEvents, maxMs, colors.get(f.id)));
      return card;
    });
    $('followers').replaceChildren(...cards);
  }

  function lagChart(f, maxEvents, maxMs, color) {
    const width = 300;
    const chart = svg('svg', { viewBox: '0 0 ' + width + ' 64', class: 'lag', role: 'img',
      'aria-label': 'lag of ' + f.id });
    const bars = [
      ['lag', f.lag_events / maxEvents, f.lag_events + ' events'],
      ['behind', f.lag_ms / maxMs, formatMs(f.lag_ms)],
    ];
    bars.forEach(([name, ratio, text], i) => {
      const y = 4 + i * 18;
      svg('text', { x: 0, y: y + 10 }, chart).textContent = name;
      svg('rect', { x: 50, y, width: 170, height: 12, rx: 3, fill: '#eef0f3' }, chart);
      svg('rect', { x: 50, y, width: Math.max(f.alive ? 1 : 0, 170 * ratio), height: 12, rx: 3, fill: color,
        class: 'lag-bar' }, chart);
      svg('text', { x: 228, y: y + 10 }, chart).textContent = text;
    });
    // One thin bar per held shard: how far it is behind the leader's head.
    const behind = f.progress.map((p) => Math.max(0, p.head_seq - p.applied_seq));
    const most = Math.max(1, ...behind);
    const step = f.progress.length ? Math.min(12, (width - 50) / f.progress.length) : 0;
    svg('text', { x: 0, y: 58 }, chart).textContent = 'shards';
    f.progress.forEach((p, i) => {
      const h = 2 + 14 * (behind[i] / most);
      const bar = svg('rect', { x: 50 + i * step, y: 60 - h, width: Math.max(1, step - 2), height: h,
        fill: behind[i] ? '#ef4444' : color, 'fill-opacity': 0.8 }, chart);
      svg('title', {}, bar).textContent = 'shard ' + p.shard + ': applied ' + p.applied_seq + ' / ' + p.head_seq;
    });
    return chart;
  }

  /** The badge when /cluster failed: no token (or one the leader refused), or no leader at all. */
  function renderLeaderFailure(r) {
    const locked = r.status === 401 || r.status === 403;
    $('leader').className = 'leader ' + (locked ? 'locked' : 'down');
    $('leader').textContent = locked ? 'leader needs a token' : 'leader unreachable';
  }

  async function refreshCluster() {
    const r = await call('GET', 'cluster');
    // A 503 of an unreachable leader says whether the gateway serves reads from followers meanwhile.
    $('stale-banner').hidden = !(r.status === 503 && r.json.stale_reads === true);
    if (!r.ok) {
      renderLeaderFailure(r);
      $('cluster-summary').replaceChildren(el('div', { className: 'err', textContent: r.json.error }));
      return;
    }
    const status = r.json;
    const colors = colorsOf(status.followers);
    renderLeader(status);
    renderSummary(status);
    renderShardMap(status, colors);
    renderLegend(status, colors);
    renderFollowers(status, colors);
    document.body.dataset.clusterRendered = 'true';
  }

  function refreshAll() {
    loadPage();
    refreshCluster();
  }

  // The poll skips a round while the token dialog is open or the last round is still out, so that
  // requests do not pile up behind a slow leader or a user who is typing.
  const poll = { busy: false };
  async function pollCluster() {
    if (poll.busy || prompt.pending) return;
    poll.busy = true;
    try {
      await refreshCluster();
    } finally {
      poll.busy = false;
    }
  }

  // ---- Live feed of changes ------------------------------------------------------------------
  // GET /watch as Server-Sent Events. The browser's EventSource reconnects by itself and resumes
  // with Last-Event-ID; a resume the leader can no longer serve (WATCH_COMPACTED) starts over from
  // now. EventSource cannot send a token: with a leader that requires one, the feed stays off.

  const FEED_MAX = 50;
  const feed = { source: null };

  function text(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      return base64 + ' (base64)';
    }
  }

  function showChange(type, change) {
    const item = el('li', { className: type },
      el('span', { className: 'rev', textContent: change.revision }),
      el('span', { className: 'op', textContent: type }),
      el('span', { className: 'key', textContent: change.key, title: change.key }));
    if (type === 'put') item.append(el('span', { className: 'val', textContent: text(change.value) }));
    $('watch-feed').querySelector('li.none')?.remove();
    $('watch-feed').prepend(item);
    while ($('watch-feed').children.length > FEED_MAX) $('watch-feed').lastElementChild.remove();
  }

  function watchChanges() {
    const source = new EventSource('watch');
    feed.source = source;
    source.addEventListener('put', (e) => showChange('put', JSON.parse(e.data)));
    source.addEventListener('delete', (e) => showChange('delete', JSON.parse(e.data)));
    source.addEventListener('progress', (e) => {
      $('watch-status').textContent = 'live · revision ' + JSON.parse(e.data).revision;
    });
    source.addEventListener('error', (e) => {
      if (e.data === undefined) { // the connection, not the watch: EventSource retries by itself
        $('watch-status').textContent = source.readyState === EventSource.CLOSED
          ? 'off (the gateway refused the stream)' : 'reconnecting…';
        return;
      }
      const ended = JSON.parse(e.data);
      if (ended.code === 'UNAUTHENTICATED' || ended.code === 'PERMISSION_DENIED') {
        source.close();
        $('watch-status').textContent = 'off (the leader requires a token, which the feed cannot send)';
        return;
      }
      $('watch-status').textContent = 'ended: ' + (ended.reason || ended.error) + ' · reconnecting…';
      if (ended.reason === 'WATCH_COMPACTED') { // the last change seen is gone from the history
        source.close();
        setTimeout(watchChanges, 1000);
      }
    });
  }

  // ---- Wiring -------------------------------------------------------------------------------

  $('key-form').addEventListener('submit', setKey);
  $('get-btn').addEventListener('click', getKey);
  $('delete-btn').addEventListener('click', deleteKey);
  $('value').addEventListener('input', () => { valueIsBase64.current = false; });
  $('list-form').addEventListener('submit', restartList);
  $('page-size').addEventListener('change', restartList);
  $('next-btn').addEventListener('click', nextPage);
  $('prev-btn').addEventListener('click', prevPage);
  $('token-form').addEventListener('submit', submitToken);
  $('token-cancel').addEventListener('click', () => closePrompt(false));
  // Escape closes a modal dialog by itself: that is a cancel too.
  $('token-dialog').addEventListener('cancel', (event) => { event.preventDefault(); closePrompt(false); });
  $('sign-out').addEventListener('click', signOut);
  $('sign-in').addEventListener('click', signIn);

  showAuth();
  restartList();
  refreshCluster();
  setInterval(pollCluster, CLUSTER_POLL_MS);
  watchChanges();
})();
