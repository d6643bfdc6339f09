// pages/notbuilt.js — a page of a later phase of the dashboard (issue 13).
import { h } from '../dom.js';

export function render(root, ctx) {
  root.append(h('h1', {}, ctx.name), h('p', {}, 'Not built yet.'));
}
