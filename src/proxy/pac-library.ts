// The PAC helper functions (Netscape's "Navigator Proxy Auto-Config File Format", as browsers and
// libproxy provide them), written in JavaScript and evaluated INSIDE the sandbox, so that every
// step a script makes, regular expressions included, runs under its time and memory limits. Only
// two functions reach the host: name resolution and the local address (pac-engine.ts).

/** The names the host defines before this library runs. */
export const NATIVE_DNS_RESOLVE = '__gscDnsResolve';
export const NATIVE_MY_IP_ADDRESS = '__gscMyIpAddress';

/** Evaluated once per compiled script, before the script itself. */
export const PAC_LIBRARY = String.raw`
'use strict';
var dnsResolve, myIpAddress;
(function (nativeResolve, nativeMyIp) {
  dnsResolve = function dnsResolve(host) { return nativeResolve(String(host)); };
  myIpAddress = function myIpAddress() { return nativeMyIp(); };
})(globalThis.${NATIVE_DNS_RESOLVE}, globalThis.${NATIVE_MY_IP_ADDRESS});
delete globalThis.${NATIVE_DNS_RESOLVE};
delete globalThis.${NATIVE_MY_IP_ADDRESS};

function isPlainHostName(host) { return String(host).indexOf('.') < 0; }
function dnsDomainIs(host, domain) {
  host = String(host); domain = String(domain);
  return host.length >= domain.length && host.substring(host.length - domain.length) === domain;
}
function localHostOrDomainIs(host, hostdom) {
  host = String(host); hostdom = String(hostdom);
  return host === hostdom || (host.indexOf('.') < 0 && hostdom.split('.')[0] === host);
}
function dnsDomainLevels(host) { return String(host).split('.').length - 1; }
function isResolvable(host) { return dnsResolve(host) !== null; }
function __ipv4ToNumber(text) {
  var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(String(text));
  if (m === null) return null;
  var n = 0;
  for (var i = 1; i <= 4; i++) { var b = Number(m[i]); if (b > 255) return null; n = n * 256 + b; }
  return n;
}
function convert_addr(ip) { var n = __ipv4ToNumber(ip); return n === null ? 0 : n; }
function isInNet(host, pattern, mask) {
  var ip = __ipv4ToNumber(host);
  if (ip === null) { var resolved = dnsResolve(host); if (resolved === null) return false; ip = __ipv4ToNumber(resolved); }
  var p = __ipv4ToNumber(pattern), m = __ipv4ToNumber(mask);
  if (ip === null || p === null || m === null) return false;
  // Bitwise operators work on the low 32 bits, which is the whole address.
  return ((ip ^ p) & m) === 0;
}
var __shExpCache = new Map();
function shExpMatch(str, shexp) {
  str = String(str); shexp = String(shexp);
  var re = __shExpCache.get(shexp);
  if (re === undefined) {
    re = new RegExp('^' + shexp.replace(/[.+^$(){}|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    // Scripts use a handful of patterns; a script that makes them up is not helped by a cache.
    if (__shExpCache.size < 256) __shExpCache.set(shexp, re);
  }
  return re.test(str);
}
var __DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
var __MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
function __gmtArgs(args) {
  var list = Array.prototype.slice.call(args);
  var gmt = list.length > 0 && String(list[list.length - 1]).toUpperCase() === 'GMT';
  if (gmt) list.pop();
  return { list: list, gmt: gmt, now: new Date() };
}
function __inRange(value, low, high) { return low <= high ? value >= low && value <= high : value >= low || value <= high; }
function weekdayRange() {
  var a = __gmtArgs(arguments);
  var today = a.gmt ? a.now.getUTCDay() : a.now.getDay();
  var d1 = __DAYS.indexOf(String(a.list[0]).toUpperCase());
  var d2 = a.list.length > 1 ? __DAYS.indexOf(String(a.list[1]).toUpperCase()) : d1;
  if (d1 < 0 || d2 < 0) return false;
  return __inRange(today, d1, d2);
}
function dateRange() {
  var a = __gmtArgs(arguments);
  var now = a.now;
  var cur = { d: a.gmt ? now.getUTCDate() : now.getDate(), m: a.gmt ? now.getUTCMonth() : now.getMonth(), y: a.gmt ? now.getUTCFullYear() : now.getFullYear() };
  var parts = [];
  for (var i = 0; i < a.list.length; i++) {
    var v = a.list[i], month = __MONTHS.indexOf(String(v).toUpperCase());
    if (month >= 0) parts.push({ k: 'm', v: month });
    else if (typeof v === 'number' && v >= 1 && v <= 31) parts.push({ k: 'd', v: v });
    else if (typeof v === 'number' && v > 31) parts.push({ k: 'y', v: v });
    else return false;
  }
  if (parts.length === 0 || parts.length > 6) return false;
  var single = parts.length === 1;
  var low = parts, high = parts;
  if (!single) { if (parts.length % 2 !== 0) return false; low = parts.slice(0, parts.length / 2); high = parts.slice(parts.length / 2); }
  function key(p) { var o = {}; for (var j = 0; j < p.length; j++) { if (o[p[j].k] !== undefined) return null; o[p[j].k] = p[j].v; } return o; }
  var lo = key(low), hi = key(high);
  if (lo === null || hi === null) return false;
  var fields = ['y', 'm', 'd'].filter(function (f) { return lo[f] !== undefined; });
  if (fields.length !== Object.keys(hi).length || fields.some(function (f) { return hi[f] === undefined; })) return false;
  function num(o) { var n = 0; fields.forEach(function (f) { n = n * 100 + (f === 'y' ? o[f] - 1000 : o[f]); }); return n; }
  var c = num(cur), l = num(lo), h = num(hi);
  return fields[0] === 'y' ? c >= l && c <= h : __inRange(c, l, h);
}
function timeRange() {
  var a = __gmtArgs(arguments);
  var n = a.list.map(Number);
  if (n.some(function (x) { return !(x >= 0 && x <= 60) || Math.floor(x) !== x; })) return false;
  var h = a.gmt ? a.now.getUTCHours() : a.now.getHours();
  var mi = a.gmt ? a.now.getUTCMinutes() : a.now.getMinutes();
  var s = a.gmt ? a.now.getUTCSeconds() : a.now.getSeconds();
  if (n.length === 1) return h === n[0];
  if (n.length === 2) return n[0] <= n[1] ? h >= n[0] && h < n[1] : h >= n[0] || h < n[1];
  var cur, lo, hi;
  if (n.length === 4) { cur = h * 60 + mi; lo = n[0] * 60 + n[1]; hi = n[2] * 60 + n[3]; }
  else if (n.length === 6) { cur = (h * 60 + mi) * 60 + s; lo = (n[0] * 60 + n[1]) * 60 + n[2]; hi = (n[3] * 60 + n[4]) * 60 + n[5]; }
  else return false;
  return __inRange(cur, lo, hi);
}
function alert() {}
`;
