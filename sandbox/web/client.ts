/**
 * The page's script, sent inline. It only turns clicks into calls to the page server (which
 * signs them as Slack would and sends them to the bot) and re-fetches a server-rendered area
 * when the server says it changed (Server-Sent Events). No framework, no build step.
 */
export const CLIENT_SCRIPT = String.raw`
(() => {
  const user = () => document.getElementById('user').value;
  const areas = { leads: 'leads', digest: 'digest', modal: 'modal', command: 'command-output' };

  async function post(path, body) {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: user(), ...body }),
    });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = { error: text }; }
    return { status: res.status, json };
  }

  const pending = new Map();
  async function refresh(area) {
    const id = areas[area];
    if (!id) return;
    // One fetch per area at a time; a change during it asks for one more.
    if (pending.get(area)) { pending.set(area, 'again'); return; }
    pending.set(area, 'busy');
    try {
      do {
        pending.set(area, 'busy');
        const res = await fetch('/fragment/' + area + '?user=' + encodeURIComponent(user()));
        const html = await res.text();
        const el = document.getElementById(id);
        const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 40;
        el.innerHTML = html;
        if (area === 'leads' && atBottom) el.scrollTop = el.scrollHeight;
      } while (pending.get(area) === 'again');
    } finally {
      pending.delete(area);
    }
  }

  const events = new EventSource('/events');
  events.addEventListener('change', (e) => refresh(e.data));
  events.addEventListener('open', () => { for (const area of Object.keys(areas)) refresh(area); });

  document.getElementById('user').addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('user', user());
    location.href = url.toString();
  });

  function where(el) {
    const eph = el.closest('.ephemeral');
    if (eph) return { ephemeral: eph.dataset.ephemeralId, channel: eph.dataset.channel };
    const msg = el.closest('.message');
    if (msg) return { channel: msg.dataset.channel, ts: msg.dataset.ts };
    return undefined;
  }

  document.addEventListener('click', async (e) => {
    const target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    const reaction = target.closest('[data-react]');
    if (reaction) {
      const at = where(reaction);
      if (at) await post('/api/react', { channel: at.channel, ts: at.ts, name: reaction.dataset.react });
      return;
    }
    if (target.closest('[data-modal-close]')) {
      await post('/api/modal/close', {});
      return;
    }
    const button = target.closest('button[data-kind="button"]');
    if (button && !button.closest('form.modal')) {
      if (button.dataset.url) window.open(button.dataset.url, '_blank', 'noopener');
      const at = where(button);
      if (!at) return;
      button.disabled = true;
      try {
        await post('/api/action', {
          ...at,
          actionId: button.dataset.actionId,
          blockId: button.dataset.blockId,
          value: button.dataset.value,
          text: button.textContent,
        });
      } finally {
        button.disabled = false;
      }
    }
  });

  document.addEventListener('change', async (e) => {
    const select = e.target instanceof HTMLSelectElement ? e.target : null;
    if (!select || select.dataset.kind !== 'static_select' || select.closest('form.modal')) return;
    const at = where(select);
    if (!at) return;
    const option = select.selectedOptions[0];
    await post('/api/action', {
      ...at,
      actionId: select.dataset.actionId,
      blockId: select.dataset.blockId,
      selected: select.value,
      selectedLabel: option ? option.textContent : select.value,
    });
  });

  document.addEventListener('submit', async (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    e.preventDefault();
    if (form.classList.contains('modal')) {
      const values = [];
      for (const field of form.querySelectorAll('[name]')) {
        const [block, action] = field.name.split('/');
        const label = field instanceof HTMLSelectElement && field.selectedOptions[0] ? field.selectedOptions[0].textContent : undefined;
        values.push({ block, action, type: field.dataset.kind, value: field.value, label });
      }
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        await post('/api/view', { viewId: form.dataset.viewId, values });
      } finally {
        submit.disabled = false;
      }
      return;
    }
    if (form.id === 'command-form') {
      await post('/api/command', { text: document.getElementById('command-input').value });
      return;
    }
    if (form.id === 'lead-form') {
      const fields = Object.fromEntries(new FormData(form).entries());
      const out = document.getElementById('lead-result');
      out.className = 'result';
      out.textContent = 'Sending…';
      const { status, json } = await post('/api/lead', { fields });
      out.className = 'result ' + (status === 202 ? 'ok' : 'error');
      out.textContent = status === 202
        ? 'POST /leads → 202 ' + JSON.stringify(json) + '. Watch the channel: the bot posts it in a moment.'
        : 'POST /leads → ' + status + '\n' + (json.issues ? json.issues.map((i) => '• ' + i.path + ': ' + i.message).join('\n') : JSON.stringify(json));
    }
  });

  document.getElementById('send-digest').addEventListener('click', async (e) => {
    const button = e.currentTarget;
    const out = document.getElementById('digest-result');
    button.disabled = true;
    out.textContent = 'Sending…';
    try {
      const { json } = await post('/api/digest', {});
      out.textContent = json.output || json.error || '';
    } finally {
      button.disabled = false;
    }
  });

  const leads = document.getElementById('leads');
  leads.scrollTop = leads.scrollHeight;
})();
`;
