"""Page styling and the two small scripts the app runs in the browser."""
from __future__ import annotations

# Installed on an empty gr.HTML: a click on a citation link anywhere on the page asks the server to
# open that reply (by id) in the viewer. Without this script the link still works: it opens the app
# in a new tab with ?reply=ID, and the page load shows that reply.
BRIDGE_JS = """
document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a.rq-open');
  if (!a) return;
  ev.preventDefault();
  ev.stopPropagation();
  const u = new URL(a.getAttribute('href'), window.location.href);
  trigger('click', {reply: u.searchParams.get('reply') || '', start: u.searchParams.get('s') || '',
                    end: u.searchParams.get('e') || ''});
}, true);
"""

# On every full-reply viewer: outline links scroll to their section; a new reply scrolls its
# highlighted quote (or, without one, its top) into view. Only the viewer's own box scrolls, unless
# the box itself is off screen, so the page does not jump away from the chat.
VIEWER_JS = """
const scroller = (node) => {
  for (let p = node.parentElement; p && p !== document.body; p = p.parentElement) {
    const y = getComputedStyle(p).overflowY;
    if ((y === 'auto' || y === 'scroll') && p.scrollHeight > p.clientHeight) return p;
  }
  return null;
};
const reveal = (node, share) => {
  const box = scroller(node);
  if (!box) { node.scrollIntoView({block: 'center'}); return; }
  const top = node.getBoundingClientRect().top - box.getBoundingClientRect().top;
  box.scrollTop += top - box.clientHeight * share;
  const r = box.getBoundingClientRect();
  if (r.bottom < 0 || r.top > window.innerHeight) box.scrollIntoView({block: 'start'});
};
element.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a.rq-jump');
  if (!a) return;
  ev.preventDefault();
  const s = element.querySelector('.rq-anchor[data-sec="' + a.dataset.sec + '"]');
  if (s) reveal(s, 0.02);
});
watch('value', () => setTimeout(() => {
  const m = element.querySelector('mark.rq-hit');
  const top = element.querySelector('.rq-reply');
  if (m) reveal(m, 0.3);
  else if (top) reveal(top, 0);
}, 30));
"""

# On the desk's chip row: a click on a chip asks the server to remove (or restore) that filter.
CHIPS_JS = """
element.addEventListener('click', (ev) => {
  const b = ev.target.closest && ev.target.closest('button.rq-chip');
  if (!b) return;
  ev.preventDefault();
  trigger('click', {chip: b.dataset.chip || ''});
});
"""

FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
MONO = ["Noto Sans Mono CJK SC", "ui-monospace", "monospace"]


def theme():
    """A calm theme with system fonts only: the app never fetches web fonts (it runs offline)."""
    import gradio as gr

    return gr.themes.Soft(primary_hue="red", secondary_hue="amber", neutral_hue="stone", font=FONTS,
                          font_mono=MONO)


CSS = """
.gradio-container { max-width: 1360px !important; width: 100% !important; margin: 0 auto; }
#rq-header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
#rq-header h1 { font-size: 1.55rem; margin: 0; }
#rq-header p { margin: .15rem 0 0; color: var(--body-text-color-subdued); }
#rq-lang { max-width: 220px; }
.rq-question { white-space: normal; }
.rq-answer { line-height: 1.7; }
.rq-pending { color: var(--body-text-color-subdued); font-style: italic; }
.rq-refused { border-left: 4px solid #d97706; padding-left: .6rem; }
a.rq-marker { font-weight: 600; text-decoration: none; color: var(--color-accent); margin: 0 .05rem; }
.rq-sources { display: flex; flex-direction: column; gap: .55rem; }
.rq-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: .55rem .75rem;
           background: var(--background-fill-secondary); }
.rq-card-head { font-weight: 600; }
.rq-card-head a { text-decoration: none; }
.rq-n { color: var(--color-accent); }
.rq-card-meta, .rq-card-section, .rq-dim { color: var(--body-text-color-subdued); font-size: .86em; }
.rq-passage { margin-top: .3rem; line-height: 1.65; }
.rq-scan { margin: .4rem 0; }
.rq-scan-page { display: block; max-width: 100%; height: auto; border: 1px solid var(--border-color-primary); margin: .3rem 0; }
.rq-scan-note { font-size: .8rem; opacity: .75; }
.rq-card-foot { text-align: right; font-size: .86em; }
mark.rq-mark { background: #fde68a; color: inherit; padding: 0 .1em; border-radius: 3px; }
strong.rq-span { font-weight: 700; }
mark.rq-hit { background: #fcd34d; box-shadow: 0 0 0 2px #f59e0b; }
.rq-related ul { margin: .2rem 0 0 1.1rem; }
.rq-notice { padding: .5rem .7rem; border-radius: 8px; background: #fef3c7; }
.rq-notice.rq-error { background: #fee2e2; }
.rq-hint { color: var(--body-text-color-subdued); padding: 1rem .5rem; }
.rq-reply-title { margin: 0 0 .5rem; font-size: 1.15rem; }
table.rq-meta { border-collapse: collapse; width: 100%; font-size: .88em; margin-bottom: .6rem; }
table.rq-meta th { text-align: left; white-space: nowrap; width: 7.5em; color: var(--body-text-color-subdued);
                   font-weight: 500; padding: .15rem .5rem .15rem 0; vertical-align: top; }
table.rq-meta td { padding: .15rem 0; word-break: break-all; }
table.rq-meta tr { border-bottom: 1px solid var(--border-color-primary); }
.rq-outline { font-size: .9em; margin-bottom: .6rem; }
.rq-outline-head { font-weight: 600; }
.rq-outline ul { margin: .2rem 0 0 1rem; padding: 0; }
.rq-outline .rq-depth-2 { margin-left: 1rem; } .rq-outline .rq-depth-3 { margin-left: 2rem; }
.rq-outline .rq-depth-4 { margin-left: 3rem; }
.rq-text { line-height: 1.8; white-space: normal; border-top: 1px solid var(--border-color-primary); padding-top: .6rem; }
.rq-chips { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem; padding: .45rem .65rem;
            border: 1px dashed var(--border-color-primary); border-radius: 8px; background: var(--background-fill-secondary); }
.rq-chips-head { font-size: .9em; color: var(--body-text-color-subdued); }
.rq-chips-hint { font-size: .8em; color: var(--body-text-color-subdued); margin-left: .3rem; }
button.rq-chip { display: inline-flex; align-items: center; gap: .4rem; padding: .12rem .4rem .12rem .7rem;
                 border: 1px solid var(--color-accent); border-radius: 999px; background: var(--background-fill-primary);
                 color: var(--color-accent); font-size: .9em; cursor: pointer; }
button.rq-chip:hover { background: var(--color-accent-soft); }
.rq-chip-x { font-weight: 700; padding: 0 .2rem; }
button.rq-chip.rq-chip-off { border-style: dashed; border-color: var(--border-color-primary);
                             color: var(--body-text-color-subdued); }
button.rq-chip.rq-chip-off .rq-chip-label { text-decoration: line-through; }
#rq-admin-disabled { padding: 1rem; border-radius: 8px; background: #f5f5f4; }
"""
