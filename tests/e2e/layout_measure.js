() => {
  const INTENDED_OVERFLOW = '__INTENDED_OVERFLOW__';
  const result = {documentWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
                  legends: [], overflowing: [], unlabelledScrollers: [], scrolling: []};
  const describe = el => {
    const text = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
      (text ? ' "' + text + '"' : '');
  };
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  for (const legend of document.querySelectorAll('fieldset > legend')) {
    if (!visible(legend)) continue;
    const fieldset = legend.parentElement;
    const first = [...fieldset.querySelectorAll('input:not([type=hidden]), select, textarea, label, p, .kern-hint')]
      .find(el => !legend.contains(el) && visible(el));
    if (!first) continue;
    const l = legend.getBoundingClientRect(), f = first.getBoundingClientRect();
    if (f.top < l.bottom - 1) result.legends.push(describe(legend) + ' / ' + describe(first));
  }
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el) || el.clientWidth <= 1 || el.matches(INTENDED_OVERFLOW)) continue;
    if (['INPUT', 'SELECT', 'TEXTAREA', 'OPTION', 'SVG', 'svg', 'PROGRESS'].includes(el.tagName)) continue;
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    if (scrolls(el)) {
      const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!(el.tabIndex >= 0 && named && el.getAttribute('role') === 'region'))
        result.unlabelledScrollers.push(describe(el));
      result.scrolling.push(describe(el) + ` (${el.scrollWidth} > ${el.clientWidth})`);
      continue;
    }
    let ancestor = el.parentElement, inScroller = false;
    while (ancestor && ancestor !== document.body) {
      if (scrolls(ancestor)) { inScroller = true; break; }
      ancestor = ancestor.parentElement;
    }
    if (!inScroller) result.overflowing.push(describe(el) + ` (${el.scrollWidth} > ${el.clientWidth})`);
  }
  // What sticks out of a too wide page: the outermost elements past the window's right edge.
  result.protruding = [];
  if (result.documentWidth > result.viewport) {
    for (const el of document.querySelectorAll('body *')) {
      if (!visible(el) || el.getBoundingClientRect().right <= window.innerWidth + 1) continue;
      const parent = el.parentElement;
      if (parent && parent !== document.body && parent.getBoundingClientRect().right > window.innerWidth + 1) continue;
      result.protruding.push(describe(el) + ` (right edge at ${Math.round(el.getBoundingClientRect().right)} px)`);
      if (result.protruding.length >= 5) break;
    }
  }
  return result;
}
