// router.js — one URL per page (the history API), so the back button and a
// shared link work; the server answers each of these paths with index.html
// (plugins/frontend-http/fe_static.c has the same list).

export const PAGES = [
  { path: '/', name: 'Overview', load: () => import('./pages/overview.js') },
  { path: '/performance', name: 'Performance', load: () => import('./pages/performance.js') },
  { path: '/trades', name: 'Trades', load: () => import('./pages/trades.js') },
  { path: '/backtest', name: 'Backtest', load: () => import('./pages/backtest.js') },
  { path: '/market-data', name: 'Market data', load: () => import('./pages/market-data.js') },
  { path: '/config', name: 'Config', admin: true, load: () => import('./pages/config.js') },
  { path: '/operations', name: 'Operations', admin: true,
    load: () => import('./pages/operations.js') },
  { path: '/settings', name: 'Settings', load: () => import('./pages/settings.js') },
  { path: '/users', name: 'Users', admin: true, load: () => import('./pages/users.js') },
];

// Pages outside the nav, open to everyone.
const PUBLIC = [
  { match: (p) => p === '/login', name: 'Sign in', load: () => import('./pages/login.js') },
  { match: (p) => /^\/invite\/[A-Za-z0-9_-]{1,64}$/.test(p), name: 'Accept invitation',
    load: () => import('./pages/invite.js') },
];

const notBuilt = () => import('./pages/notbuilt.js');

// The page for a path: {name, load, public?, admin?}, or null.
export function resolve(path) {
  for (const p of PUBLIC) if (p.match(path)) return { ...p, public: true };
  const page = PAGES.find((p) => p.path === path);
  return page ? { ...page, load: page.load || notBuilt } : null;
}

let onChange = () => {};

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname + location.search) return onChange();
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  return onChange();
}

// Same-origin links to pages are followed without a reload.
export function start(render) {
  onChange = render;
  addEventListener('popstate', () => render());
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey ||
        a.target || a.origin !== location.origin || a.pathname.startsWith('/api/') ||
        a.hasAttribute('download')) return;
    if (!resolve(a.pathname)) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  });
  return render();
}
