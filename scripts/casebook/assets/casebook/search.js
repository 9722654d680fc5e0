/* 社区治理实践案例库: site search in Material's search box, online and from file://.
   The index (search/casebook/, written by scripts/casebook/search.py) is deflated JSON in small
   scripts, loaded with <script> tags (fetch() fails from file://) when the reader turns to the box.
   Any run of two or more characters that occurs in the text is found (a scan of the text, so no
   segmentation decides what can be found); jieba's word boundaries, marked at build time, only rank
   whole words first. Synonyms come from the vocabulary. Work is split per chunk, so no task is long.
   A large index also has a map (search_grams.py) from each pair of neighbouring characters to the
   chunks holding it: a query loads the map's shards for its pairs, then only the chunks that can
   hold its words, those that can hold the most words first. */
(function () {
  "use strict";

  var BOUNDARY = "\x7f";
  var PAGE = 10;          // results shown at first, and added by "显示更多"
  var SHOWN_ENTRIES = 3;  // sections shown under one page
  var script = document.currentScript;
  var root = script ? script.src.replace(/assets\/casebook\/search\.js(\?.*)?$/, "") : "";

  var manifest = null, synonyms = new Map(), chunks = [], names = [], arrived = 0;
  var grams = null;  // the map from character pairs to chunks, when the index has one
  var ui = null, limit = PAGE, pending = false;

  // Run f in a task of its own soon (setTimeout would wait 4 ms each time after a few rounds).
  var channel = new MessageChannel(), next = [];
  channel.port1.onmessage = function () { var f = next.shift(); if (f) f(); };
  function later(f) { next.push(f); channel.port2.postMessage(0); }

  /* --- loading the index ------------------------------------------------------------------------ */

  function addScript(src) {
    var el = document.createElement("script");
    el.src = src;
    el.async = true;
    el.onerror = function () { if (ui) ui.meta.textContent = "搜索索引载入失败，请刷新页面再试。"; };
    document.head.appendChild(el);
  }

  var started = false;
  function load() {
    if (started) return;
    started = true;
    var fresh = /^https?:/.test(location.protocol) ? "?t=" + Math.floor(Date.now() / 60000) : "";
    addScript(root + "search/casebook/manifest.js" + fresh);
  }

  function inflate(base64) {
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).text();
  }

  // Same text processing for the index and the query: lower case, full-width letters and digits as ASCII.
  function normalize(text) {
    return text.replace(/[A-Z\uff01-\uff5e]/g, function (ch) {
      var code = ch.charCodeAt(0);
      return code < 128 ? ch.toLowerCase() : String.fromCharCode(code - 0xfee0).toLowerCase();
    });
  }

  /* One chunk: all its entries' text in one string (scanned with indexOf), where each entry starts,
     where its heading ends, and a flag at every jieba word boundary. */
  function prepare(data) {
    var entries = data.e, parts = [], starts = new Int32Array(entries.length + 1), heads = new Int32Array(entries.length);
    var cuts = [], offset = 0;
    for (var i = 0; i < entries.length; i++) {
      var pieces = entries[i][3].split(BOUNDARY), text = pieces.join("");
      starts[i] = offset;
      heads[i] = offset + text.indexOf("\n");
      var at = offset;
      for (var j = 0; j < pieces.length - 1; j++) { at += pieces[j].length; cuts.push(at); }
      parts.push(text);
      offset += text.length + 1;
    }
    starts[entries.length] = offset;
    var byLabel = {};  // label number -> entries that carry it (a category or status chip is words a reader sees too)
    for (var e = 0; e < entries.length; e++) {
      entries[e][4].forEach(function (label) { (byLabel[label] = byLabel[label] || []).push(e); });
    }
    var original = parts.join("\u0000");
    var bounds = new Uint8Array(original.length + 1);
    for (var k = 0; k < cuts.length; k++) bounds[cuts[k]] = 1;
    return {pages: data.p, entries: entries, original: original, text: normalize(original),
            starts: starts, heads: heads, bounds: bounds, byLabel: byLabel};
  }

  window.casebookSearch = {
    manifest: function (data) {
      manifest = data;
      // Words a reader types are looked up in a Map: in a plain object "constructor" or "__proto__"
      // would find Object's own properties (and the search would stop with a TypeError).
      synonyms = new Map(Object.keys(data.synonyms || {}).map(function (k) { return [k, data.synonyms[k]]; }));
      for (var i = 0; i < data.chunks.length / 8; i++) names.push(i + "-" + data.chunks.substr(i * 8, 8) + ".js");
      chunks = new Array(names.length);
      asked = new Uint8Array(names.length);
      if (data.grams) {
        var count = data.grams.shards.length / 8;
        grams = {buckets: data.grams.buckets, per: data.grams.per, shards: new Array(count), asked: new Uint8Array(count),
                 bits: new Map(), words: new Map()};
        schedule(true);
      } else {
        want(names.map(function (n, c) { return c; }));  // a small index: all of it, as soon as the box is used
      }
    },
    grams: function (s, base64) {
      inflate(base64).then(function (json) {
        grams.shards[s] = JSON.parse(json);
        schedule(true);
      }).catch(function () { if (ui) ui.meta.textContent = "这个浏览器无法读取搜索索引，请换用新版浏览器。"; });
    },
    chunk: function (i, base64) {
      inflate(base64).then(function (json) {
        unpacked.push([i, json]);
        if (unpacked.length === 1) later(unpackNext);
      }).catch(function () { if (ui) ui.meta.textContent = "这个浏览器无法读取搜索索引，请换用新版浏览器。"; });
    }
  };

  // Chunks inflated at the same moment are unpacked one per task, so none of them holds up the page.
  var unpacked = [];
  function unpackNext() {
    var item = unpacked.shift();
    chunks[item[0]] = prepare(JSON.parse(item[1]));
    arrived++;
    loading--;
    loadMore();
    if (unpacked.length) later(unpackNext);
    schedule(true);
  }

  // A few chunks at a time, in the order the query wants them: the first results come from the first
  // chunks, and the page's task queue never fills with hundreds of scripts at once.
  var waiting = [], asked = null, loading = 0, IN_FLIGHT = 8;
  function loadMore() {
    // One chunk until the query's first results are shown (they need no more), then several at a time.
    var most = job && !job.found ? 1 : IN_FLIGHT;
    while (loading < most && waiting.length) {
      var c = waiting.shift();
      if (asked[c]) continue;
      asked[c] = 1;
      loading++;
      addScript(root + "search/casebook/" + names[c]);
    }
  }

  // The chunks a query needs, best first; chunks an earlier query wanted and that are not on their way are dropped.
  function want(list) {
    waiting = list.filter(function (c) { return !asked[c]; });
    loadMore();
  }

  /* --- which chunks can hold a word (the map) ---------------------------------------------------- */

  // FNV-1a over UTF-16 code units, as search_grams.fnv1a computes it at build time.
  function hash(gram) {
    var h = 0x811c9dc5;
    for (var i = 0; i < gram.length; i++) { h ^= gram.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    return h >>> 0;
  }

  // The chunks a bucket of the map lists (one flag per chunk), or null while its shard is on its way.
  function bucket(b) {
    var bits = grams.bits.get(b);
    if (bits) return bits;
    var s = Math.floor(b / grams.per), shard = grams.shards[s];
    if (!shard) {
      if (!grams.asked[s]) {
        grams.asked[s] = 1;
        addScript(root + "search/casebook/g" + s + "-" + manifest.grams.shards.substr(s * 8, 8) + ".js");
      }
      return null;
    }
    var list = shard[b - s * grams.per], c = 0;
    bits = new Uint8Array(chunks.length);
    if (list) for (var i = 0; i < list.length; i++) { c += list[i]; bits[c] = 1; }
    grams.bits.set(b, bits);
    return bits;
  }

  // Chunks that can hold `word` (every pair of its characters is in them), or null until the map's shards are in.
  var ALL = null;
  function possible(word) {
    if (!grams || word.length < 2) return ALL || (ALL = new Uint8Array(chunks.length).fill(1));
    var known = grams.words.get(word);
    if (known) return known;
    var bits = null, pending = false;
    for (var i = 0; i + 1 < word.length; i++) {
      var b = bucket(hash(word.substr(i, 2)) & (grams.buckets - 1));
      if (!b) { pending = true; continue; }
      if (!bits) bits = b.slice(); else for (var c = 0; c < bits.length; c++) bits[c] &= b[c];
    }
    if (pending) return null;
    grams.words.set(word, bits);
    return bits;
  }

  /* --- the query -------------------------------------------------------------------------------- */

  /* Whether a word occurs in the index. Until every chunk that can hold it is in, it counts as
     occurring and those chunks are wanted (need); the query is read again when they arrive. */
  var need = null;
  function occurs(word) {
    var bits = possible(word), unknown = false;
    if (!bits) { need.pending = true; return true; }
    for (var c = 0; c < bits.length; c++) {
      if (!bits[c]) continue;
      if (!chunks[c]) unknown = true;
      else if (chunks[c].text.indexOf(word) !== -1) return true;
    }
    if (unknown) need.add(bits, 0);
    return unknown;
  }

  // The chunks a reading of the query needs: flags, and how many of its words each chunk can hold.
  function Need(n) { this.flags = new Uint8Array(n); this.words = new Uint8Array(n); this.pending = false; }
  Need.prototype.add = function (bits, words) {
    for (var c = 0; c < bits.length; c++) if (bits[c]) { this.flags[c] = 1; this.words[c] += words; }
  };
  Need.prototype.list = function () {
    var list = [], words = this.words;
    for (var c = 0; c < this.flags.length; c++) if (this.flags[c]) list.push(c);
    return list.sort(function (a, b) { return words[b] - words[a] || a - b; });
  };

  function term(word) {
    var alts = [{s: word, w: 1}];
    (synonyms.get(word) || []).forEach(function (m) { alts.push({s: normalize(m), w: 0.6}); });
    // Labels holding the word: the whole label counts as a whole word, part of one as part of a word.
    alts.forEach(function (alt) {
      alt.labels = [];
      manifest.labels.forEach(function (label, i) {
        var text = normalize(label[0]);
        if (text.indexOf(alt.s) !== -1) alt.labels.push([i, alt.w * (text === alt.s ? 2 : 1)]);
      });
    });
    return {word: word, alts: alts};
  }

  /* Words of the query: what the reader separated by spaces or punctuation; a run that occurs
     nowhere (老人吃饭) is split into the longest pieces that occur or are everyday words of the
     vocabulary (老人 + 吃饭). What is left between those pieces (积分 in 志愿者积分) is kept as
     words found nowhere, so the reader is told about them (a lone character is not a word). */
  function parse(query) {
    var runs = normalize(query).split(/[\s,.;:!?'"()\-\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f]+/)
      .filter(Boolean);
    var terms = [], missing = [];
    runs.forEach(function (run) {
      // Only Chinese runs are written without spaces between words; a Latin word is never cut into letters.
      if (run.length < 3 || !/[\u3400-\u9fff\uf900-\ufaff]/.test(run) || synonyms.has(run) || occurs(run)) {
        terms.push(term(run));
        return;
      }
      var found = [], left = [], pos = 0, gap = "";
      while (pos < run.length) {
        var len = run.length - pos;
        for (; len >= 2; len--) {
          var piece = run.substr(pos, len);
          if (synonyms.has(piece) || occurs(piece)) break;
        }
        if (len >= 2) {
          if (gap.length >= 2) left.push(gap);
          gap = "";
          found.push(term(run.substr(pos, len)));
          pos += len;
        } else gap += run.charAt(pos++);
      }
      if (gap.length >= 2) left.push(gap);
      if (!found.length) { terms.push(term(run)); return; }
      Array.prototype.push.apply(terms, found);
      Array.prototype.push.apply(missing, left);
    });
    terms.missing = missing;
    return terms;
  }

  // Character classes for word boundaries: 1 Chinese, 2 ASCII letter or digit, 0 anything else.
  function charClass(code) {
    if ((code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff)) return 1;
    if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) return 2;
    return 0;
  }

  function boundary(chunk, pos) {
    if (chunk.bounds[pos]) return true;
    var a = charClass(chunk.text.charCodeAt(pos - 1)), b = charClass(chunk.text.charCodeAt(pos));
    return a === 0 || b === 0 || a !== b;
  }

  /* Each entry's score for each word of the query, in one typed array: the best occurrence counts
     (heading over body, whole word over part of a word, the reader's word over a synonym). */
  function scoreChunk(chunk, terms) {
    var T = terms.length, scores = new Float32Array(chunk.entries.length * T), text = chunk.text, starts = chunk.starts;
    for (var ti = 0; ti < T; ti++) {
      var alts = terms[ti].alts;
      for (var a = 0; a < alts.length; a++) {
        var s = alts[a].s, w = alts[a].w, e = 0, pos = text.indexOf(s);
        (alts[a].labels || []).forEach(function (label) {
          (chunk.byLabel[label[0]] || []).forEach(function (entry) {
            var k = entry * T + ti;
            if (label[1] > scores[k]) scores[k] = label[1];
          });
        });
        while (pos !== -1) {
          while (starts[e + 1] <= pos) e++;
          var whole = boundary(chunk, pos) && boundary(chunk, pos + s.length);
          var score = w * (pos < chunk.heads[e] ? 3 : 1) * (whole ? 2 : 1), k = e * T + ti;
          if (score > scores[k]) scores[k] = score;
          // The heading comes first, so after a whole word nothing later in the entry scores higher.
          pos = text.indexOf(s, whole ? starts[e + 1] : pos + 1);
        }
      }
    }
    return scores;
  }

  /* Entries with a match, gathered by page. An entry in place (the vocabulary's `done` statuses)
     counts more than a plan or a proposal. */
  function collect(chunk, c, terms, scores, pages) {
    var T = terms.length, byPage = {};
    for (var e = 0; e < chunk.entries.length; e++) {
      var sum = 0, found = 0;
      for (var ti = 0; ti < T; ti++) {
        var v = scores[e * T + ti];
        if (v) { sum += v; found |= 1 << ti; }
      }
      if (!found) continue;
      var entry = chunk.entries[e], page = byPage[entry[0]];
      sum *= entry[5] === 1 ? 1.25 : entry[5] === 0 ? 0.8 : 1;
      if (!page) pages.push(page = byPage[entry[0]] = {c: c, p: entry[0], found: 0, hits: []});
      page.found |= found;
      page.hits.push({e: e, score: sum});
    }
  }

  /* Pages (cases above all) that hold every word, best first; when none holds them all, the pages
     that hold the most. */
  function rank(terms, pages) {
    var most = 0, any = 0;
    pages.forEach(function (page) {
      var n = 0;
      any |= page.found;
      for (var f = page.found; f; f &= f - 1) n++;
      page.coverage = n;
      if (n > most) most = n;
      page.hits.sort(function (a, b) { return b.score - a.score || a.e - b.e; });
      page.score = page.hits[0].score;
      for (var i = 1; i < Math.min(page.hits.length, 5); i++) page.score += 0.2 * page.hits[i].score;
    });
    var list = pages.filter(function (p) { return p.coverage === most; });
    list.sort(function (a, b) { return b.score - a.score || a.c - b.c || a.p - b.p; });
    // Words no page holds, whether typed apart (调解 积分) or left over inside a longer run (志愿者积分).
    var found = terms.filter(function (t, i) { return any & (1 << i); }).map(function (t) { return t.word; });
    var missing = terms.filter(function (t, i) { return !(any & (1 << i)); }).map(function (t) { return t.word; })
      .concat(terms.missing || []);
    return {pages: list, complete: most === terms.length && !missing.length, found: found, missing: missing,
            allFound: most === found.length};
  }

  function quoted(words) {
    return words.map(function (w) { return "“" + w + "”"; }).join("、");
  }

  /* What the list answers, in words: which words found nothing, and what the pages shown hold. */
  function summary(result) {
    var count = result.pages.length;
    if (result.complete) return "找到 " + count + " 个页面";
    if (!result.missing.length) return "没有同时包含全部词语的页面，以下 " + count + " 个页面包含其中一部分";
    return "没有找到" + quoted(result.missing) + "。" + (result.allFound ?
      "以下 " + count + " 个页面包含" + quoted(result.found) :
      "没有同时包含" + quoted(result.found) + "的页面，以下 " + count + " 个页面包含其中一部分");
  }

  /* --- showing results in Material's result list ------------------------------------------------- */

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  /* About 80 characters of an entry's body around the first match, every match marked
     (text nodes only: nothing from the index becomes markup). */
  function snippet(chunk, terms, from, to) {
    var marks = [], text = chunk.text;
    terms.forEach(function (t) {
      t.alts.forEach(function (alt) {
        for (var pos = text.indexOf(alt.s, from); pos !== -1 && pos + alt.s.length <= to; pos = text.indexOf(alt.s, pos + 1)) {
          marks.push([pos, alt.s.length]);
        }
      });
    });
    marks.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var start = marks.length ? Math.max(from, marks[0][0] - 20) : from, stop = Math.min(to, start + 80);
    var p = el("p"), at = start;
    if (start > from) p.appendChild(document.createTextNode("…"));
    marks.forEach(function (m) {
      if (m[0] < at || m[0] >= stop) return;
      p.appendChild(document.createTextNode(chunk.original.slice(at, m[0])));
      p.appendChild(el("mark", null, chunk.original.slice(m[0], m[0] + m[1])));
      at = m[0] + m[1];
    });
    if (at < stop) p.appendChild(document.createTextNode(chunk.original.slice(at, stop)));
    if (stop < to) p.appendChild(document.createTextNode("…"));
    return p;
  }

  function article(chunk, page, e, terms, first) {
    var entry = chunk.entries[e], head = chunk.heads[e], bodyStart = head + 1, end = chunk.starts[e + 1] - 1;
    var anchor = entry[1], heading = chunk.original.slice(chunk.starts[e], head);
    var link = el("a", "md-search-result__link");
    link.href = root + page[0] + (anchor ? "#" + anchor : "");
    link.tabIndex = -1;
    var art = el("article", "md-search-result__article md-typeset");
    link.appendChild(art);
    if (first) {
      art.appendChild(el("div", "md-search-result__icon md-icon"));
      art.appendChild(el("h1", null, page[1]));
    }
    var section = entry[2];
    var where = el(first ? "p" : "h2", "cb-search-where");
    if (first && page[2]) where.appendChild(el("span", "cb-search-place", page[2]));
    if (section) where.appendChild(el("span", "cb-search-section", section + (heading !== section ? " › " + heading : "")));
    entry[4].forEach(function (i) {
      var label = manifest.labels[i];
      where.appendChild(document.createTextNode(" "));
      where.appendChild(el("span", label[1] + " cb-search-label", label[0]));
    });
    if (where.childNodes.length) art.appendChild(where);
    if (end > bodyStart) art.appendChild(snippet(chunk, terms, bodyStart, end));
    return link;
  }

  function render(result, terms, have, of) {
    var list = ui.list;
    list.textContent = "";
    var loadingNote = have < of ? "（正在载入索引 " + have + "/" + of + "）" : "";
    if (!result.pages.length) {
      ui.meta.textContent = have < of ? "正在载入搜索索引…" : "没有找到符合条件的结果";
      return;
    }
    var count = result.pages.length;
    // Until the index the query needs is in, a word not seen yet may still turn up: say so only at the end.
    ui.meta.textContent = (have < of ? "找到 " + count + " 个页面" : summary(result)) + loadingNote;
    result.pages.slice(0, limit).forEach(function (page) {
      var chunk = chunks[page.c], item = el("li", "md-search-result__item");
      page.hits.slice(0, SHOWN_ENTRIES).forEach(function (hit, i) {
        item.appendChild(article(chunk, chunk.pages[page.p], hit.e, terms, i === 0));
      });
      list.appendChild(item);
    });
    if (count > limit) {
      var more = el("button", "md-button cb-search-more", "显示更多（还有 " + (count - limit) + " 个）");
      more.type = "button";
      more.addEventListener("click", function () { limit += PAGE; run(true); });
      var li = el("li", "cb-search-more-item");
      li.appendChild(more);
      list.appendChild(li);
    }
  }

  /* A search runs chunk by chunk and gives the page back every SLICE_MS, so typing and painting
     never wait long; a newer query stops an older one. */
  var SLICE_MS = 12, job = null;

  function run(keepLimit) {
    pending = false;
    if (!manifest || !ui) return;
    var query = ui.input.value.trim();
    if (keepLimit !== true) limit = PAGE;
    if (!query) {
      job = null;
      ui.result.removeAttribute("data-cb-done");
      ui.list.textContent = "";
      ui.meta.textContent = "输入关键词开始搜索";
      return;
    }
    need = new Need(chunks.length);
    var parsed = parse(query), terms = parsed.slice(0, 16), words = terms.map(function (t) { return t.word; }).join(" ");
    terms.missing = parsed.missing;
    terms.forEach(function (t) {
      var any = new Uint8Array(chunks.length);
      t.alts.forEach(function (alt) {
        var bits = possible(alt.s);
        if (!bits) need.pending = true; else for (var c = 0; c < any.length; c++) any[c] |= bits[c];
      });
      need.add(any, 1);
    });
    if (need.pending) {  // the map's shards for these words are on their way; the query is read again then
      ui.result.removeAttribute("data-cb-done");
      ui.meta.textContent = "正在载入搜索索引…";
      return;
    }
    var needed = need.list();
    // The same query goes on where it stopped (chunks that came since are searched, not the others);
    // a new query, or the same one read differently now that more of the index is in, starts afresh.
    if (!job || job.query !== query || job.words !== words) {
      if (job && job.timer) clearTimeout(job.timer);
      job = {query: query, terms: terms, words: words, seen: new Uint8Array(chunks.length), pages: [], shownAt: 0};
    }
    job.need = need.flags;
    job.needed = needed;
    want(needed);
    job.forced = have(job) === needed.length && (keepLimit === true || job.limit !== limit);
    job.limit = limit;
    step(job);
  }

  // How many of the chunks the query needs are in.
  function have(j) {
    var n = 0;
    for (var i = 0; i < j.needed.length; i++) if (chunks[j.needed[i]]) n++;
    return n;
  }

  function step(j) {
    if (j !== job) return;
    var began = performance.now();
    for (var c = 0; c < chunks.length; c++) {
      if (j.seen[c] || !chunks[c] || !j.need[c]) continue;  // a chunk the query does not need holds none of its words
      collect(chunks[c], c, j.terms, scoreChunk(chunks[c], j.terms), j.pages);
      j.seen[c] = 1;
      if (performance.now() - began > SLICE_MS) { later(function () { step(j); }); return; }
    }
    var got = have(j), complete = got === j.needed.length, now = performance.now();
    // While the index loads, the list is redrawn at most every 200 ms once it shows results (until then at once).
    if (!complete && j.found && now - j.shownAt < 200) {
      if (!j.timer) j.timer = setTimeout(function () { j.timer = null; j.shownAt = 0; step(j); }, 200 - (now - j.shownAt));
      return;
    }
    if (!complete || j.forced || j.shownComplete !== true) {
      j.shownAt = now;
      j.shownComplete = complete;
      j.forced = false;
      var result = rank(j.terms, j.pages);
      render(result, j.terms, got, j.needed.length);
      if (result.pages.length && !j.found) { j.found = true; later(loadMore); }  // after the results are painted
    }
    // Which query the list answers, once the whole index is searched (tests and benchmarks wait for it).
    if (complete) ui.result.setAttribute("data-cb-done", j.query); else ui.result.removeAttribute("data-cb-done");
    if (complete) openFirst();
  }

  var goFirst = null;
  function openFirst() {
    var first = ui.list.querySelector("a.md-search-result__link");
    if (goFirst && goFirst === ui.result.getAttribute("data-cb-done") && first) {
      goFirst = null;
      location.href = first.href;
    }
  }

  // Chunks arrive one by one: search again at most once per frame, so results appear early and grow.
  // keep: the same query with more of the index (keeps "显示更多"); a typed query starts at the top.
  var keepShown = true;
  function schedule(keep) {
    keepShown = keepShown && keep === true;
    if (pending || !ui || !ui.input.value.trim()) return;
    pending = true;
    (window.requestAnimationFrame || setTimeout)(function () { var keep = keepShown; keepShown = true; run(keep); });
  }

  /* --- the search box --------------------------------------------------------------------------- */

  function setup() {
    var box = document.querySelector("[data-cb-search]");
    if (!box) return;
    ui = {
      box: box,
      input: box.querySelector("[data-cb-search-query]"),
      meta: box.querySelector(".md-search-result__meta"),
      list: box.querySelector(".md-search-result__list"),
      result: box.querySelector(".md-search-result"),
      toggle: document.getElementById("__search")
    };
    var input = ui.input, toggle = ui.toggle;
    function open() { load(); if (toggle && !toggle.checked) toggle.checked = true; }
    function close() { if (toggle) toggle.checked = false; input.blur(); }
    input.addEventListener("focus", open);
    input.addEventListener("input", function (e) {
      if (e.isComposing) return;  // wait until the input method has produced the characters
      load();
      if (!input.value.trim()) run(); else if (manifest) schedule(false);
    });
    input.addEventListener("compositionend", function () { schedule(false); });
    input.form.addEventListener("submit", function (e) {
      e.preventDefault();
      goFirst = input.value.trim();  // Enter opens the first result, as soon as there is one
      openFirst();
    });
    input.form.addEventListener("reset", function () { setTimeout(function () { run(); input.focus(); }, 0); });
    if (toggle) toggle.addEventListener("change", function () { if (toggle.checked) { load(); input.focus(); } });
    document.querySelectorAll("label[for=__search]").forEach(function (label) {
      label.addEventListener("pointerenter", load);
    });
    box.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(ui.list.querySelectorAll("a.md-search-result__link"));
      var at = links.indexOf(document.activeElement);
      if (e.key === "Escape") { close(); }
      else if (e.key === "ArrowDown" && links.length) { e.preventDefault(); links[Math.min(at + 1, links.length - 1)].focus(); }
      else if (e.key === "ArrowUp" && at >= 0) { e.preventDefault(); (at === 0 ? input : links[at - 1]).focus(); }
    });
    document.addEventListener("keydown", function (e) {
      var target = e.target, typing = target && (/^(input|textarea|select)$/i.test(target.tagName) || target.isContentEditable);
      if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && (e.key === "/" || e.key === "s")) {
        e.preventDefault();
        open();
        input.focus();
      }
    });
    if (input.value.trim()) { load(); }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
