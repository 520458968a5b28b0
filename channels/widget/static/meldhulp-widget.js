/*
 * Meldhulp chat widget. A griffie embeds it with one container and one script tag:
 *
 *   <div id="meldhulp-chat" data-server="https://rasa.example.nl" data-history="/widget/history"></div>
 *   <script src="https://meldhulp.example.nl/widget/static/meldhulp-widget.js" defer></script>
 *
 * data-server: the Rasa server; the widget uses its socket.io channel (session_persistence: true).
 * data-history: where the conversation is read back after a reload or a dropped connection
 *   (default: ../history next to this script).
 * data-evidence: where a photo, screenshot or PDF from the upload button goes, and the links a user writes
 *   (default: 'evidence' next to the history address). Only with the conversation's signed token.
 * data-evidence-max-mb: the largest file in MB, as the server's EVIDENCE_MAX_BYTES says, for the upload hint
 *   (the demo page fills it in; without it the hint names no size, and the server still says it on a refusal).
 * The script loads its CSS and socket.io-client from its own directory (unless window.io exists).
 *
 * Plain ES2017, no build step. Message texts, the user's and the bot's, only ever reach the page through
 * textContent, never as HTML: nobody can put markup or script on the page through a message.
 */
(() => {
  'use strict';

  const HERE = new URL('.', (document.currentScript && document.currentScript.src) || location.href).href;

  // The session id is kept in sessionStorage, not localStorage or a cookie: a reload continues the
  // conversation, but it is gone when the tab is closed, so the next person at a shared computer (town
  // hall, library) cannot read it. The same goes for messages still waiting to be sent.
  // The server issues the session and a signed token for it (channels/widget/session.py); only the token
  // reopens the conversation (and reads its history), and only from one socket at a time.
  const SESSION_KEY = 'meldhulp.session';
  const TOKEN_KEY = 'meldhulp.token';
  const TOKEN = /^[0-9a-f]{32}\.[0-9]{1,12}\.[A-Za-z0-9_-]{43}$/;
  const REFUSED_RETRY = 3000; // the same tab reconnecting before the server saw the old socket go
  const OUTBOX_KEY = 'meldhulp.outbox';
  const SESSION_ID = /^[0-9a-f]{32}$/;
  const ACK_TIMEOUT = 60000; // Rasa confirms a message once it has handled it (replies included)
  const TYPING_TIMEOUT = 30000; // stop showing "typt…" if no answer comes

  const T = {
    title: 'Meldhulp – chat',
    intro: 'Vertel in uw eigen woorden wat er gebeurde.',
    danger: 'Bent u nu in gevaar?',
    call: 'Bel dan direct 112.',
    log: 'Gesprek',
    you: 'U',
    bot: 'Meldhulp',
    choices: 'Kies een antwoord',
    label: 'Uw bericht',
    hint: 'Enter verstuurt het bericht. Shift + Enter geeft een nieuwe regel.',
    send: 'Verstuur',
    pending: 'wordt verzonden…',
    typing: 'De assistent typt…',
    connecting: 'Verbinden…',
    connected: 'Verbonden',
    noHistory: 'Verbonden. Eerdere berichten kon ik niet laden.',
    retrying: 'Nog geen verbinding, opnieuw verbinden…',
    reconnecting: 'Verbinding verbroken, opnieuw verbinden…',
    failed: 'De chat kan niet starten. Probeer het later opnieuw. Bent u nu in gevaar? Bel dan direct 112.',
    attach: 'Foto of bestand toevoegen',
    // {limit}: ', tot N MB' from data-evidence-max-mb (EVIDENCE_MAX_BYTES on the server), or nothing without it.
    attachHint: "Bewijs: foto's, screenshots (JPEG, PNG, WebP) of PDF{limit}. Alleen uw contactpersoon ziet het.",
    uploading: 'Bestand wordt verstuurd…',
    uploadFailed: 'Het versturen lukte niet. Probeer het opnieuw.',
  };
  const ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf';
  const LINK = /(https?:\/\/|www\.)\S+/i;

  const store = {
    get(key) {
      try {
        return JSON.parse(sessionStorage.getItem(key));
      } catch (e) {
        return null;
      }
    },
    set(key, value) {
      try {
        sessionStorage.setItem(key, JSON.stringify(value));
      } catch (e) {
        // storage blocked: the chat still works, it just does not survive a reload
      }
    },
  };

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // The only way this widget creates content: text goes in through textContent.
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function botMessage(data) {
    if (!data || typeof data !== 'object') return null;
    const text = typeof data.text === 'string' ? data.text : '';
    const raw = Array.isArray(data.quick_replies) ? data.quick_replies : Array.isArray(data.buttons) ? data.buttons : [];
    const buttons = raw
      .filter((b) => b && typeof b.title === 'string' && typeof b.payload === 'string')
      .map((b) => ({ title: b.title, payload: b.payload }));
    if (!text.trim() && !buttons.length) return null; // images, custom payloads: not shown
    return { sender: 'bot', text, buttons };
  }

  function historyMessage(m) {
    if (!m || typeof m.text !== 'string') return null;
    if (m.sender === 'bot') return botMessage(m);
    if (m.sender === 'user') return { sender: 'user', text: m.text, id: typeof m.id === 'string' ? m.id : null, buttons: [] };
    return null;
  }

  function userMessage(item, pending) {
    return { sender: 'user', text: item.text, id: item.id, buttons: [], pending };
  }

  // What makes two messages "the same" when the history is compared with what is on screen.
  function keyOf(m) {
    if (m.sender === 'user') return 'u\n' + (m.id || m.text);
    return 'b\n' + m.text + '\n' + m.buttons.map((b) => b.title).join('\n');
  }

  let count = 0;

  class Widget {
    constructor(root) {
      const history = root.dataset.history ? new URL(root.dataset.history, location.href) : new URL('../history', HERE);
      this.server = root.dataset.server;
      this.historyUrl = history.href.replace(/\/+$/, '');
      this.evidenceUrl = root.dataset.evidence
        ? new URL(root.dataset.evidence, location.href).href
        : this.historyUrl.replace(/\/history$/, '') + '/evidence';
      this.evidenceMaxMb = root.dataset.evidenceMaxMb;
      const stored = store.get(SESSION_KEY);
      this.sessionId = SESSION_ID.test(stored) ? stored : null;
      const token = store.get(TOKEN_KEY);
      this.token = this.sessionId && typeof token === 'string' && TOKEN.test(token) ? token : null;
      this.outbox = (store.get(OUTBOX_KEY) || []).filter((i) => i && typeof i.id === 'string' && typeof i.text === 'string');
      this.shown = []; // {key, message, node}, in screen order
      this.sent = new Set(); // outbox ids emitted on the current connection
      this.ready = false; // connected, session confirmed, history merged: messages can go out
      this.live = null; // bot messages that arrive while the history loads
      this.turn = 0;
      this.firstLoad = true;
      this.choices = null;
      this.choicesFor = null;
      this.build(root);
      this.outbox.forEach((item) => this.append(userMessage(item, true)));
    }

    build(root) {
      const n = ++count;
      const id = (name) => `meldhulp-${name}-${n}`;
      const section = el('section', 'mh');
      section.lang = 'nl';
      section.setAttribute('aria-labelledby', id('title'));
      const title = el('h2', 'mh-title', T.title);
      title.id = id('title');
      const danger = el('p', 'mh-danger');
      const call = el('a', null, T.call);
      call.href = 'tel:112';
      danger.append(el('strong', null, T.danger), ' ', call);
      this.statusLine = el('p', 'mh-status', T.connecting);
      this.statusLine.setAttribute('role', 'status');
      this.log = el('div', 'mh-log');
      this.log.setAttribute('role', 'log');
      this.log.setAttribute('aria-live', 'polite');
      this.log.setAttribute('aria-label', T.log);
      this.log.tabIndex = 0; // a scrollable area must be reachable by keyboard
      this.typing = el('p', 'mh-typing');
      this.typing.setAttribute('aria-live', 'polite');
      const form = el('form', 'mh-form');
      const label = el('label', 'mh-label', T.label);
      label.htmlFor = id('input');
      const hint = el('p', 'mh-hint', T.hint);
      hint.id = id('hint');
      this.input = el('textarea', 'mh-input');
      this.input.id = id('input');
      this.input.rows = 2;
      this.input.setAttribute('aria-describedby', hint.id);
      const button = el('button', 'mh-send', T.send);
      button.type = 'submit';
      const row = el('div', 'mh-row');
      row.append(this.input, button);
      form.append(label, hint, row);
      // Evidence: a real button (keyboard, screen readers) that opens the file picker; the input itself is hidden.
      const maxMb = /^[1-9][0-9]{0,5}$/.test(this.evidenceMaxMb || '') ? `, tot ${this.evidenceMaxMb} MB` : '';
      const attachHint = el('p', 'mh-hint', T.attachHint.replace('{limit}', maxMb));
      attachHint.id = id('attach-hint');
      this.fileInput = el('input', 'mh-file');
      this.fileInput.type = 'file';
      this.fileInput.accept = ACCEPT;
      this.fileInput.tabIndex = -1;
      this.fileInput.setAttribute('aria-hidden', 'true');
      this.attach = el('button', 'mh-attach', T.attach);
      this.attach.type = 'button';
      this.attach.disabled = !this.token;
      this.attach.setAttribute('aria-describedby', attachHint.id);
      this.uploadStatus = el('p', 'mh-upload');
      this.uploadStatus.setAttribute('role', 'status');
      const evidence = el('div', 'mh-evidence');
      evidence.append(this.attach, this.fileInput, attachHint, this.uploadStatus);
      section.append(title, el('p', 'mh-intro', T.intro), danger, this.statusLine, this.log, this.typing, form, evidence);
      root.textContent = '';
      root.append(section);

      form.addEventListener('submit', (event) => {
        event.preventDefault();
        this.submit();
      });
      this.attach.addEventListener('click', () => this.fileInput.click());
      this.fileInput.addEventListener('change', () => {
        const file = this.fileInput.files && this.fileInput.files[0];
        this.fileInput.value = ''; // the same file can be chosen again
        if (file) this.upload(file, { 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name) });
      });
      this.input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submit();
        }
      });
    }

    connect() {
      const socket = window.io(this.server, {
        // WebSocket only: Rasa's socket.io server sends no CORS headers, so long-polling from the griffie's
        // site would fail; a WebSocket also needs no sticky sessions behind a load balancer.
        transports: ['websocket'],
        reconnection: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 5000,
      });
      this.socket = socket;
      socket.on('connect', () => {
        this.live = [];
        socket.emit('session_request', { session_token: this.token });
      });
      socket.on('session_confirm', (data) => {
        if (!data || typeof data !== 'object' || !SESSION_ID.test(data.session_id) || !TOKEN.test(data.session_token)) return;
        this.token = data.session_token;
        store.set(TOKEN_KEY, this.token);
        this.attach.disabled = false;
        this.confirmed(data.session_id);
      });
      // The conversation is open on another socket (another tab, or this tab's old connection that the server
      // has not seen close yet): ask again a little later; the other socket keeps the conversation meanwhile.
      socket.on('session_refused', () => {
        this.status(T.reconnecting);
        setTimeout(() => {
          if (socket.connected && !this.ready) socket.emit('session_request', { session_token: this.token });
        }, REFUSED_RETRY);
      });
      socket.on('bot_uttered', (data) => this.received(data));
      socket.on('connect_error', () => this.status(this.everConnected ? T.reconnecting : T.retrying));
      socket.on('disconnect', (reason) => {
        this.turn++;
        this.ready = false;
        this.sent.clear(); // what went out without Rasa's confirmation is checked against the history later
        this.markPending();
        this.showTyping(false);
        this.status(T.reconnecting);
        if (reason === 'io server disconnect') socket.connect(); // socket.io only retries by itself after a network drop
      });
    }

    async confirmed(id) {
      const turn = ++this.turn;
      const known = id === this.sessionId;
      this.sessionId = id;
      store.set(SESSION_KEY, id);
      this.everConnected = true;
      let history = [];
      if (known) {
        try {
          history = await this.fetchHistory();
        } catch (e) {
          history = null;
        }
      }
      if (turn !== this.turn || !this.socket.connected) return; // dropped again meanwhile: the next connect redoes this
      const live = this.live || [];
      this.live = null;
      const quiet = this.firstLoad && history && history.length > 0;
      if (quiet) this.log.setAttribute('aria-live', 'off'); // after a reload, do not read the whole conversation aloud
      if (history) this.merge(history, live);
      else live.forEach((message) => this.append(message));
      if (quiet) setTimeout(() => this.log.setAttribute('aria-live', 'polite'), 1000);
      this.firstLoad = false;
      this.ready = true;
      this.status(history ? T.connected : T.noHistory);
      this.flush();
    }

    async fetchHistory() {
      const response = await fetch(`${this.historyUrl}/${encodeURIComponent(this.token)}`, {
        headers: { Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
      });
      if (!response.ok) throw new Error(`history: ${response.status}`);
      const body = await response.json();
      return (Array.isArray(body.messages) ? body.messages : []).map(historyMessage).filter(Boolean);
    }

    // Make the screen show the server's transcript plus what still waits to be sent, without touching what
    // is already right (so nothing is shown twice and screen readers do not hear it again).
    merge(history, live) {
      // Bot messages that came in while the history loaded may already be in it (Rasa saves the
      // conversation just after sending): add only those the history does not end with.
      const keys = history.map(keyOf);
      let overlap = Math.min(live.length, history.length);
      while (overlap > 0 && keys.slice(-overlap).join('\0') !== live.slice(0, overlap).map(keyOf).join('\0')) overlap--;
      // A message sent just before the connection dropped may have arrived all the same: then it is in the history.
      const delivered = new Set(history.map((m) => m.id).filter(Boolean));
      this.outbox = this.outbox.filter((item) => !delivered.has(item.id));
      this.save();
      const wanted = history.concat(live.slice(overlap), this.outbox.map((item) => userMessage(item, true)));
      let same = 0;
      while (same < this.shown.length && same < wanted.length && this.shown[same].key === keyOf(wanted[same])) same++;
      this.shown.splice(same).forEach((entry) => entry.node.remove());
      wanted.slice(same).forEach((message) => this.append(message));
      this.markPending();
    }

    received(data) {
      const message = botMessage(data);
      if (!message) return;
      this.showTyping(false);
      if (this.live) this.live.push(message);
      else this.append(message);
    }

    submit() {
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = '';
      this.send(text, null);
      if (LINK.test(text)) this.upload(text, { 'Content-Type': 'text/plain;charset=utf-8' }); // links are evidence too
    }

    // A file or a text with links to the evidence endpoint; its answer (in Dutch) shows in the status line.
    async upload(body, headers) {
      if (!this.token) return;
      this.uploadStatus.textContent = T.uploading;
      let message = T.uploadFailed;
      try {
        const response = await fetch(this.evidenceUrl, {
          method: 'POST',
          headers: Object.assign({ Authorization: `Bearer ${this.token}`, Accept: 'application/json' }, headers),
          body,
          credentials: 'omit',
          cache: 'no-store',
        });
        const answer = await response.json();
        if (answer && typeof answer.message === 'string' && answer.message) message = answer.message;
      } catch (e) {
        // network error or no JSON: the calm general text
      }
      this.uploadStatus.textContent = message;
    }

    send(text, payload) {
      const item = { id: newId(), text, payload };
      this.outbox.push(item);
      this.save();
      this.append(userMessage(item, !this.ready));
      this.flush();
    }

    flush() {
      if (!this.ready) return;
      this.outbox.filter((item) => !this.sent.has(item.id)).forEach((item) => this.emit(item));
      this.markPending();
    }

    emit(item) {
      this.sent.add(item.id);
      this.showTyping(true);
      const message = { message: item.payload || item.text, session_id: this.sessionId, metadata: { widget_message_id: item.id } };
      this.socket.timeout(ACK_TIMEOUT).emit('user_uttered', message, (error) => {
        // No confirmation (timeout, connection gone): the message stays in the outbox, and after the next
        // reconnect the history tells whether it arrived. It is never sent twice on one connection.
        if (error) return;
        this.outbox = this.outbox.filter((m) => m.id !== item.id);
        this.save();
        if (!this.outbox.some((m) => this.sent.has(m.id))) this.showTyping(false);
      });
    }

    save() {
      store.set(OUTBOX_KEY, this.outbox);
    }

    append(message) {
      const node = el('div', `mh-msg mh-${message.sender}`);
      const text = message.text.replace(/^\n+|\s+$/g, '');
      if (!text) node.classList.add('mh-empty'); // buttons without text
      node.append(el('span', 'mh-sr', `${message.sender === 'user' ? T.you : T.bot}: `), el('span', 'mh-text', text));
      const entry = { key: keyOf(message), message, node };
      this.shown.push(entry);
      this.log.append(node);
      if (message.pending) this.setPending(entry, true);
      this.showChoices();
      this.log.scrollTop = this.log.scrollHeight;
    }

    setPending(entry, pending) {
      const note = entry.node.querySelector('.mh-note');
      if (pending && !note) entry.node.append(el('span', 'mh-note', T.pending));
      if (!pending && note) note.remove();
      entry.node.classList.toggle('mh-pending', pending);
    }

    markPending() {
      const waiting = new Set(this.outbox.filter((item) => !this.sent.has(item.id)).map((item) => item.id));
      this.shown.filter((e) => e.message.sender === 'user').forEach((e) => this.setPending(e, waiting.has(e.message.id)));
    }

    // Quick replies: real buttons under the last message, if that is a bot message with buttons.
    showChoices() {
      const last = this.shown[this.shown.length - 1];
      const owner = last && last.message.sender === 'bot' && last.message.buttons.length ? last : null;
      if (owner === this.choicesFor) return;
      if (this.choices) this.choices.remove();
      this.choices = null;
      this.choicesFor = owner;
      if (!owner) return;
      const group = el('div', 'mh-choices');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', T.choices);
      owner.message.buttons.forEach((button) => {
        const node = el('button', 'mh-choice', button.title);
        node.type = 'button';
        node.addEventListener('click', () => {
          this.send(button.title, button.payload); // removes these buttons: the last message is now the user's
          this.input.focus(); // focus would otherwise fall back to the top of the page
        });
        group.append(node);
      });
      this.choices = group;
      this.log.append(group);
    }

    showTyping(on) {
      clearTimeout(this.typingTimer);
      if (on) this.typingTimer = setTimeout(() => this.showTyping(false), TYPING_TIMEOUT);
      const text = on ? T.typing : '';
      if (this.typing.textContent !== text) this.typing.textContent = text;
    }

    status(text) {
      if (this.statusLine.textContent !== text) this.statusLine.textContent = text;
      this.statusLine.dataset.state = text === T.connected || text === T.noHistory ? 'ok' : 'wait';
    }
  }

  function load(tag, attributes) {
    return new Promise((resolve) => {
      const node = document.createElement(tag);
      Object.assign(node, attributes);
      node.onload = () => resolve(true);
      node.onerror = () => resolve(false);
      document.head.append(node);
    });
  }

  async function start() {
    const root = document.getElementById('meldhulp-chat');
    if (!root) return;
    const css = document.querySelector('link[href$="meldhulp-widget.css"]') || load('link', { rel: 'stylesheet', href: `${HERE}meldhulp-widget.css` });
    const io = window.io || load('script', { src: `${HERE}socket.io.min.js` });
    await css; // build the widget once it is styled
    const widget = new Widget(root);
    window.meldhulpWidget = widget; // for debugging and the browser test
    if (!(await io) || !window.io || !widget.server) {
      widget.status(T.failed);
      return;
    }
    widget.connect();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
