// The page of `passage serve`: search as you type, and check a draft.
// Every piece of article text goes into the page as text (textContent,
// text nodes), never as HTML: an article holding <script> shows it.

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

// A snippet with its matches marked; `highlights` are byte ranges into its
// UTF-8, as the JSON gives them.
function marked(text, highlights) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const out = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of highlights) {
    if (start < at || end > bytes.length) continue;
    out.append(dec.decode(bytes.slice(at, start)));
    out.append(el("mark", {}, dec.decode(bytes.slice(start, end))));
    at = end;
  }
  out.append(dec.decode(bytes.slice(at)));
  return out;
}

function place(hit) {
  const path = [hit.article, ...hit.section].join(" › ");
  return hit.kind === "paragraph" ? `${path} ¶${hit.paragraph}` : `${path} (section)`;
}

async function getJson(url, init) {
  const r = await fetch(url, init);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.message : `HTTP ${r.status}`);
  return body;
}

async function copyCitation(id, style, note) {
  try {
    const c = await getJson(`/api/citation/${encodeURIComponent(id)}?style=${style}`);
    await navigator.clipboard.writeText(c.citation);
    note.textContent = `copied (${style})`;
  } catch (e) {
    note.textContent = `could not copy: ${e.message}`;
  }
}

function hitItem(hit) {
  const note = el("span", { class: "copied" });
  const copy = el("div", { class: "copy" });
  for (const style of ["plain", "markdown", "mla"]) {
    const b = el("button", { type: "button" }, style);
    b.addEventListener("click", () => copyCitation(hit.id, style, note));
    copy.append(b);
  }
  copy.append(note);
  const li = el(
    "li",
    { class: "hit", "data-id": hit.id },
    el("div", {}, el("span", { class: "place" }, place(hit)), el("span", { class: "where" }, `${hit.file}:${hit.line_start}`)),
    el("p", { class: "snippet" }, marked(hit.snippet, hit.highlights)),
  );
  for (const also of hit.also) li.append(el("div", { class: "also" }, `also: ${place(also)}`));
  li.append(copy);
  return li;
}

let asked = 0;
async function search() {
  const q = $("q").value.trim();
  const mine = ++asked;
  history.replaceState(null, "", q ? `#q=${encodeURIComponent(q)}` : "#");
  if (!q) {
    $("results").replaceChildren();
    $("status").textContent = "";
    return;
  }
  try {
    const r = await getJson(`/api/search?q=${encodeURIComponent(q)}&n=10`);
    if (mine !== asked) return; // a later query has been typed
    $("results").replaceChildren(...r.hits.map(hitItem));
    const notes = [...r.notes, ...r.suggestions.filter((s) => s.searched_for).map((s) => `searched for '${s.searched_for}' instead of '${s.word}'`)];
    $("status").textContent = `${r.total.toLocaleString("en")} matches` + (notes.length ? ` — ${notes.join("; ")}` : "");
    select(0);
  } catch (e) {
    if (mine === asked) $("status").textContent = e.message;
  }
}

let selected = -1;
function select(i) {
  const items = [...$("results").children];
  if (!items.length) return;
  selected = Math.max(0, Math.min(i, items.length - 1));
  items.forEach((li, k) => li.classList.toggle("selected", k === selected));
  items[selected].scrollIntoView({ block: "nearest" });
}

let timer;
$("q").addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(search, 120);
});
document.addEventListener("keydown", (e) => {
  if ($("search-view").hidden) return;
  const items = [...$("results").children];
  if (e.key === "ArrowDown") { select(selected + 1); e.preventDefault(); }
  else if (e.key === "ArrowUp") { select(selected - 1); e.preventDefault(); }
  else if (e.key === "c" && e.target !== $("q") && items[selected]) {
    items[selected].querySelector(".copy button").click();
  }
});

function quoteItem(q) {
  const li = el("li", { class: `quote status-${q.status}` },
    el("span", { class: "label" }, q.status), `“${q.quote}”`, el("span", { class: "where" }, `line ${q.line}`));
  const m = q.matches && q.matches[0];
  if (m) {
    li.append(el("div", { class: "place" }, m.citation));
    if (q.status === "misquoted") li.append(el("p", { class: "wording" }, "the article: ", m.text));
  }
  return li;
}

$("check").addEventListener("click", async () => {
  $("check-status").textContent = "checking…";
  try {
    const r = await getJson("/api/check", { method: "POST", body: $("draft").value });
    $("quotes").replaceChildren(...r.quotes.map(quoteItem));
    const s = r.summary;
    $("check-status").textContent = `${s.exact} exact, ${s.misquoted} misquoted, ${s.missing} missing, ${s.skipped} skipped`;
  } catch (e) {
    $("check-status").textContent = e.message;
  }
});

function tab(name) {
  for (const t of ["search", "check"]) {
    $(`${t}-view`).hidden = t !== name;
    $(`tab-${t}`).setAttribute("aria-selected", String(t === name));
  }
}
$("tab-search").addEventListener("click", () => tab("search"));
$("tab-check").addEventListener("click", () => tab("check"));

const start = new URLSearchParams(location.hash.slice(1)).get("q");
if (start) {
  $("q").value = start;
  search();
}
