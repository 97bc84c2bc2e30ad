// The playground's behaviour: load the WebAssembly core, fill the pickers from the examples the
// build copied in, and keep diagnostics, decision, explanation, scenario results and map in step
// with what the author types. Every answer comes from the core; this file only shows it.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const examples = window.OFFRAMP_EXAMPLES;
  const schema = window.OFFRAMP_ENCOUNTER_SCHEMA;
  // `wasm_bindgen`: the global the core's classic script (offramp/offramp_wasm.js) declares.
  const core = wasm_bindgen; // eslint-disable-line no-undef

  // What is loaded now: the program's router (null while the program has errors).
  const state = { router: null, programOk: false };

  // Runs `fn` once typing pauses for `ms` milliseconds.
  function debounce(fn, ms) {
    let timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function setStatus(text, kind) {
    const el = $('status');
    el.textContent = text;
    el.className = kind || '';
  }

  // An error from the core as one line: its kind, where, and what.
  function describe(e) {
    const where = e && e.line ? ` at line ${e.line}, column ${e.column || 1}` : '';
    const field = e && e.field && e.field !== '.' ? ` (field ${e.field})` : '';
    return `${(e && e.name) || 'Error'}${where}${field}: ${(e && e.message) || String(e)}`;
  }

  // ---- Loading the core ----------------------------------------------------------------

  // Opened as a file, the browser will not fetch the .wasm beside the page: the build also
  // writes it as base64 in a script, which a classic <script> may load from a file.
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    });
  }

  async function loadCore() {
    if (location.protocol === 'file:') {
      await loadScript('offramp/offramp_wasm_inline.js');
      const text = atob(window.OFFRAMP_WASM_BASE64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      core.initSync({ module: bytes });
    } else {
      await core({ module_or_path: 'offramp/offramp_wasm_bg.wasm' });
    }
  }

  // ---- The program editor ----------------------------------------------------------------

  // UTF-8 byte offsets (the core's spans) as indices into a JavaScript string.
  function byteIndex(text, byte) {
    let bytes = 0;
    let i = 0;
    while (i < text.length && bytes < byte) {
      const code = text.codePointAt(i);
      bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      i += code >= 0x10000 ? 2 : 1;
    }
    return i;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  }

  // Where a diagnostic sits in the text: its span, or its line and column to the line's end.
  function rangeOf(text, d) {
    if (d.span && d.span.end >= d.span.start) {
      const start = byteIndex(text, d.span.start);
      const end = Math.max(byteIndex(text, d.span.end), start + 1);
      return [start, Math.min(end, text.length)];
    }
    const lines = text.split('\n');
    let start = 0;
    for (let i = 0; i < Math.min((d.line || 1) - 1, lines.length); i++) start += lines[i].length + 1;
    start += Math.max((d.column || 1) - 1, 0);
    const end = text.indexOf('\n', start);
    return [Math.min(start, text.length), end < 0 ? text.length : Math.max(end, start + 1)];
  }

  // The text behind the editor with each diagnostic's range marked, and the line numbers.
  function drawMarks(text, diagnostics) {
    const ranges = diagnostics
      .map((d) => ({ range: rangeOf(text, d), severity: d.severity }))
      .sort((a, b) => a.range[0] - b.range[0]);
    let html = '';
    let at = 0;
    for (const { range, severity } of ranges) {
      const [start, end] = range;
      if (start < at) continue; // overlapping: the first one shown is marked
      html += escapeHtml(text.slice(at, start));
      html += `<mark class="${severity}">${escapeHtml(text.slice(start, end) || ' ')}</mark>`;
      at = end;
    }
    html += escapeHtml(text.slice(at)) + '\n';
    $('program-marks').innerHTML = html;
    const count = text.split('\n').length;
    const marked = new Set(diagnostics.map((d) => d.line));
    let gutter = '';
    for (let n = 1; n <= count; n++) {
      gutter += marked.has(n) ? `<b>${n}</b>\n` : `${n}\n`;
    }
    $('program-gutter').innerHTML = gutter;
    syncScroll();
  }

  function syncScroll() {
    const editor = $('program');
    $('program-marks').style.transform = `translate(${-editor.scrollLeft}px, ${-editor.scrollTop}px)`;
    $('program-gutter').style.transform = `translateY(${-editor.scrollTop}px)`;
  }

  // Puts the caret on a diagnostic's place and scrolls to it.
  function goTo(d) {
    const editor = $('program');
    const [start, end] = rangeOf(editor.value, d);
    editor.focus();
    editor.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
    editor.scrollTop = Math.max(0, ((d.line || 1) - 4) * lineHeight);
    syncScroll();
  }

  function showDiagnostics(diagnostics) {
    const list = $('diagnostics');
    list.replaceChildren();
    for (const d of diagnostics) {
      const item = document.createElement('li');
      item.className = d.severity;
      item.dataset.line = d.line;
      item.dataset.column = d.column;
      const place = document.createElement('button');
      place.type = 'button';
      place.className = 'place';
      place.textContent = `${d.line}:${d.column}`;
      place.title = 'show in the program';
      place.addEventListener('click', () => goTo(d));
      item.append(place, ` ${d.severity}: ${d.message}`);
      if (d.help) {
        const help = document.createElement('div');
        help.className = 'help';
        help.textContent = `help: ${d.help}`;
        item.append(help);
      }
      list.append(item);
    }
    if (diagnostics.length === 0) {
      const item = document.createElement('li');
      item.className = 'clean';
      item.textContent = 'No problems found.';
      list.append(item);
    }
  }

  // The analysis behind the map takes a large fraction of a second for a big program, so while
  // the author types it waits for a longer pause than the check, and the map shows it is stale.
  const analysisSoon = debounce(analysisChanged, 800);

  function typed() {
    programChanged({ typing: true });
  }

  // Checks the program, marks its problems and, when it loads, makes its router.
  function programChanged({ typing = false } = {}) {
    const text = $('program').value;
    let diagnostics;
    try {
      diagnostics = core.check(text);
    } catch (e) {
      diagnostics = [];
      setStatus(describe(e), 'bad');
    }
    drawMarks(text, diagnostics);
    showDiagnostics(diagnostics);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    state.programOk = errors === 0;
    $('diagnostics').dataset.errors = String(errors);
    if (!state.programOk) {
      dropRouter();
      setStatus(`the program has ${errors} error${errors === 1 ? '' : 's'}`, 'bad');
      clearDecision('The program does not load: the diagnostics say where and why.');
    } else {
      makeRouter();
    }
    scenariosChanged();
    if (typing) {
      $('map').dataset.drawn = 'stale';
      analysisSoon();
    } else {
      analysisChanged();
    }
  }

  // Frees the router's memory in the WebAssembly module (JavaScript's collector cannot).
  function dropRouter() {
    if (state.router) state.router.free();
    state.router = null;
  }

  function makeRouter() {
    dropRouter();
    const program = $('program').value;
    const name = $('directory-choice').value;
    const directory = name ? examples.directories[name] : undefined;
    try {
      state.router = directory === undefined ? new core.Router(program) : new core.Router(program, directory);
      const warnings = directory === undefined ? [] : state.router.directoryWarnings();
      setStatus(
        warnings.length ? `program loads; partners: ${warnings.length} warning(s)` : 'program loads',
        warnings.length ? 'warn' : 'good',
      );
    } catch (e) {
      setStatus(describe(e), 'bad');
      clearDecision('No decision: the partner directory does not load.');
      return;
    }
    routeNow();
  }

  // ---- The encounter and the decision ---------------------------------------------------------

  function clearDecision(message) {
    const decision = $('decision');
    decision.dataset.decision = '';
    decision.dataset.source = '';
    decision.textContent = message;
    $('explanation').textContent = '';
    $('decision-json').textContent = '';
    $('trace').textContent = '';
    $('missing').replaceChildren();
  }

  const words = (s) => String(s).replace(/_/g, ' ');

  // The decision as a person reads it: disposition, intercept, eligible pathways in rank with
  // their partners, and what refused the others. The record itself stays in data-decision.
  function drawDecision(record, day) {
    const root = $('decision');
    root.replaceChildren();
    const head = document.createElement('p');
    head.className = `disposition ${record.disposition}`;
    head.textContent = `${words(record.disposition)} · intercept ${record.intercept} (${words(record.intercept_basis)})`;
    root.append(head);
    if (record.eligible.length) {
      const list = document.createElement('ol');
      list.className = 'pathways';
      for (const p of record.eligible) {
        const item = document.createElement('li');
        item.textContent = `${words(p.pathway)} (rule ${p.rule})`;
        if (p.providers && p.providers.length) {
          // The partners in the router's order, each on its own: service, who and where, and
          // whether it can take the person at the encounter's time.
          const partners = document.createElement('ul');
          partners.className = 'partners';
          for (const o of p.providers) {
            const entry = document.createElement('li');
            const name = document.createElement('strong');
            name.textContent = o.service;
            const until = o.open_until ? `until ${clock(o.open_until, day)}` : 'no closing time';
            const facts = [
              o.open_now ? `open now, ${until}` : o.next_open ? `closed; opens ${clock(o.next_open, day)}` : 'closed',
              o.available === null ? 'free places not reported' : `${o.available} free${o.unit ? ` (${o.unit})` : ''}`,
            ];
            if (o.distance_km !== null) facts.push(`${o.distance_km.toFixed(1)} km`);
            if (o.preferred_partner) facts.push('preferred partner');
            const who = document.createElement('div');
            who.textContent = `${o.organization}${o.site ? `, ${o.site}` : ''}`;
            const status = document.createElement('div');
            status.className = o.open_now ? 'open' : 'closed';
            status.textContent = facts.join(' · ');
            entry.append(name, who, status);
            partners.append(entry);
          }
          item.append(partners);
        }
        list.append(item);
      }
      root.append(list);
    }
    for (const p of record.ineligible) {
      const line = document.createElement('p');
      line.className = 'ineligible';
      line.textContent = `not eligible for ${words(p.pathway)}: ${p.reasons.map((r) => `rule ${r.rule}`).join(', ')}`;
      root.append(line);
    }
    for (const w of record.warnings) {
      const line = document.createElement('p');
      line.className = 'warning';
      line.textContent = `warning: ${w.message}`;
      root.append(line);
    }
    const missing = $('missing');
    missing.replaceChildren();
    for (const field of record.needs_information) {
      const item = document.createElement('li');
      item.textContent = askFor(field);
      missing.append(item);
    }
    if (!record.needs_information.length) {
      const item = document.createElement('li');
      item.className = 'clean';
      item.textContent = 'Nothing: more information would not change this decision.';
      missing.append(item);
    }
  }

  // One item of `needs_information` ({field, pathways, exclusions}): the field, and which
  // pathways and exclusions it could decide.
  function askFor(need) {
    const could = [...need.pathways.map(words), ...need.exclusions.map((x) => `exclusion ${x}`)];
    return could.length ? `${need.field}: could decide ${could.join(', ')}` : need.field;
  }

  // A time of the decision record (RFC 3339) as the clock time, and the date when it is not the
  // encounter's day.
  function clock(time, day) {
    if (!time) return '';
    const date = time.slice(0, 10);
    return date === day ? time.slice(11, 16) : `${time.slice(11, 16)} on ${date}`;
  }

  // Routes the encounter in the editor through the loaded program.
  function routeNow() {
    const text = $('encounter').value;
    $('encounter-error').textContent = '';
    if (!state.router) return;
    let line;
    try {
      line = state.router.route(text);
    } catch (e) {
      clearDecision('No decision: the encounter is not valid.');
      $('encounter-error').textContent = describe(e);
      $('decision').dataset.source = text;
      $('decision').dataset.error = e && e.name ? e.name : 'Error';
      return;
    }
    const decision = $('decision');
    decision.dataset.error = '';
    decision.dataset.decision = line;
    decision.dataset.source = text;
    const record = JSON.parse(line);
    const at = readEncounter();
    drawDecision(record, at && typeof at.at === 'string' ? at.at.slice(0, 10) : '');
    $('decision-json').textContent = JSON.stringify(record, null, 2);
    $('explanation').textContent = state.router.explain(text);
    $('trace').textContent = state.router.traceText(text);
  }

  // ---- The encounter form: the common fields, drawn from the encounter's JSON Schema ------------

  // The values of a closed vocabulary in the schema, with their descriptions.
  function vocabulary(name) {
    const def = schema.$defs[name];
    if (def.oneOf) return def.oneOf.map((v) => [v.const, v.description || v.const]);
    return def.enum.map((v) => [v, v]);
  }

  const form = () => $('encounter-form');
  const SELECTS = { responder: 'Responder', source: 'Source', consent: 'Consent', willing: 'Willing', nibrs: 'NibrsCode', level: 'Level' };

  function buildForm() {
    for (const [field, def] of Object.entries(SELECTS)) {
      const select = form().elements[field];
      select.append(new Option('(not recorded)', ''));
      for (const [value, label] of vocabulary(def)) {
        const option = new Option(value === label ? value : words(value), value);
        option.title = label;
        select.append(option);
      }
    }
    for (const [box, def] of [['needs-choices', 'Need'], ['flag-choices', 'Flag']]) {
      for (const [value, label] of vocabulary(def)) {
        const l = document.createElement('label');
        l.title = label;
        const input = document.createElement('input');
        input.type = 'checkbox';
        input.name = def === 'Need' ? 'needs' : 'flags';
        input.value = value;
        l.append(input, ` ${words(value)}`);
        $(box).append(l);
      }
    }
    form().addEventListener('change', formChanged);
    form().addEventListener('input', (e) => {
      if (e.target.type === 'text' || e.target.type === 'number') formChanged();
    });
  }

  // An example's JSON laid out one field a line, as an author edits it (the decision does not
  // depend on the layout).
  function pretty(json) {
    try {
      return JSON.stringify(JSON.parse(json), null, 2);
    } catch {
      return json;
    }
  }

  function readEncounter() {
    try {
      const value = JSON.parse($('encounter').value);
      return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
    } catch {
      return null;
    }
  }

  // The form shows what the JSON holds.
  function fillForm() {
    const e = readEncounter();
    if (!e) return;
    const els = form().elements;
    els.at.value = e.at || '';
    els.age.value = e.age === undefined || e.age === null ? '' : e.age;
    for (const f of ['responder', 'source', 'consent', 'willing']) els[f].value = e[f] || '';
    const first = Array.isArray(e.offenses) && e.offenses.length ? e.offenses[0] : {};
    els.nibrs.value = first.nibrs ? String(first.nibrs).toUpperCase() : '';
    els.level.value = first.level || '';
    for (const [name, list] of [['needs', e.needs], ['flags', e.flags]]) {
      const have = new Set(Array.isArray(list) ? list : []);
      for (const box of form().querySelectorAll(`input[name=${name}]`)) box.checked = have.has(box.value);
    }
  }

  // The JSON takes what the form says; fields the form does not show are kept.
  function formChanged() {
    const e = readEncounter() || {};
    const els = form().elements;
    const set = (key, value) => {
      if (value === '' || value === undefined || (Array.isArray(value) && !value.length)) delete e[key];
      else e[key] = value;
    };
    set('at', els.at.value.trim());
    set('age', els.age.value === '' ? '' : Number(els.age.value));
    for (const f of ['responder', 'source', 'consent', 'willing']) set(f, els[f].value);
    for (const name of ['needs', 'flags']) {
      set(name, [...form().querySelectorAll(`input[name=${name}]:checked`)].map((b) => b.value));
    }
    const offenses = Array.isArray(e.offenses) ? e.offenses : [];
    if (els.nibrs.value) {
      const first = Object.assign({}, offenses[0] || {}, { nibrs: els.nibrs.value });
      if (els.level.value) first.level = els.level.value;
      else delete first.level;
      offenses[0] = first;
      e.offenses = offenses;
    } else if (offenses.length) {
      offenses.shift();
      set('offenses', offenses);
    }
    $('encounter').value = JSON.stringify(e, null, 2);
    routeNow();
  }

  // ---- Scenario tests and the map ------------------------------------------------------------

  function scenariosChanged() {
    const out = $('scenario-results');
    const text = $('scenarios').value;
    out.className = '';
    if (!state.programOk) {
      out.textContent = 'The scenarios run once the program loads.';
      return;
    }
    if (!text.trim()) {
      out.textContent = 'No scenario tests for this program yet.';
      return;
    }
    try {
      const run = core.runScenarios($('program').value, text);
      out.textContent = run.text;
      out.className = run.failed ? 'bad' : 'good';
      out.dataset.passed = String(run.passed);
      out.dataset.failed = String(run.failed);
    } catch (e) {
      out.textContent = describe(e);
      out.className = 'bad';
      out.dataset.passed = '';
      out.dataset.failed = '';
    }
  }

  function analysisChanged() {
    const map = $('map');
    if (!state.programOk) {
      map.replaceChildren();
      map.dataset.drawn = 'false';
      analysisTextChanged();
      return;
    }
    try {
      const program = $('program').value;
      const svg = new DOMParser().parseFromString(core.map(program, 'svg'), 'image/svg+xml');
      map.replaceChildren(document.importNode(svg.documentElement, true));
      map.dataset.drawn = 'true';
    } catch (e) {
      map.textContent = describe(e);
      map.dataset.drawn = 'false';
    }
    analysisTextChanged();
  }

  // The findings in words come from a second run of the analysis, so they are written only
  // while their section is open (and when it opens).
  function analysisTextChanged() {
    const out = $('analysis');
    if (!$('analysis-box').open || !state.programOk) {
      out.textContent = '';
      return;
    }
    try {
      out.textContent = core.analyzeText($('program').value);
    } catch (e) {
      out.textContent = describe(e);
    }
  }

  // ---- The pickers -------------------------------------------------------------------------

  function chooseProgram(name) {
    const p = examples.programs.find((x) => x.name === name);
    if (!p) return;
    $('program').value = p.text;
    $('program').scrollTop = 0;
    $('directory-choice').value = p.directory || '';
    $('scenarios').value = p.scenarios || '';
    const picker = $('encounter-example');
    picker.replaceChildren();
    p.encounters.forEach((e, i) => picker.append(new Option(e.label, String(i))));
    if (p.encounters.length) $('encounter').value = pretty(p.encounters[0].json);
    fillForm();
    programChanged();
  }

  function chooseEncounter() {
    const p = examples.programs.find((x) => x.name === $('example').value);
    const e = p && p.encounters[Number($('encounter-example').value)];
    if (!e) return;
    $('encounter').value = pretty(e.json);
    fillForm();
    routeNow();
  }

  // ---- Files: the page keeps nothing, so authors open and save their own ------------------------

  // Reads a file the author picks (it stays on this computer) into a text area.
  function openInto(input, area, changed) {
    const file = input.files && input.files[0];
    if (!file) return;
    file.text().then((text) => {
      $(area).value = text;
      input.value = '';
      changed();
    });
  }

  // Offers a text area's text as a file to save.
  function save(area, name) {
    const url = URL.createObjectURL(new Blob([$(area).value], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  // The program's file name: its id when the text gives one.
  function programFileName() {
    const id = $('program').value.match(/^\s*id\s*=\s*"([A-Za-z0-9_.-]+)"/m);
    return `${id ? id[1] : 'program'}.toml`;
  }

  async function start() {
    try {
      await loadCore();
    } catch (e) {
      setStatus(`offramp could not start in this browser: ${e.message}`, 'bad');
      return;
    }
    $('version').textContent = core.version();
    for (const p of examples.programs) $('example').append(new Option(p.title, p.name));
    for (const name of Object.keys(examples.directories)) $('directory-choice').append(new Option(name, name));
    buildForm();

    $('example').addEventListener('change', () => chooseProgram($('example').value));
    $('directory-choice').addEventListener('change', () => state.programOk && makeRouter());
    $('encounter-example').addEventListener('change', chooseEncounter);
    $('program').addEventListener('input', debounce(typed, 150));
    $('program').addEventListener('scroll', syncScroll);
    $('encounter').addEventListener('input', debounce(() => {
      fillForm();
      routeNow();
    }, 150));
    $('scenarios').addEventListener('input', debounce(scenariosChanged, 300));
    $('analysis-box').addEventListener('toggle', analysisTextChanged);
    $('program-file').addEventListener('change', () => openInto($('program-file'), 'program', programChanged));
    $('scenarios-file').addEventListener('change', () => openInto($('scenarios-file'), 'scenarios', scenariosChanged));
    $('save-program').addEventListener('click', () => save('program', programFileName()));
    $('save-scenarios').addEventListener('click', () => save('scenarios', programFileName().replace(/\.toml$/, '.scenarios.toml')));

    chooseProgram(examples.programs[0].name);
    document.body.dataset.ready = 'true';
  }

  start();
})();
