#!/usr/bin/env node
/**
 * Keeps a bundle's source map to our own code: drops every mapping into node_modules (the AWS SDK,
 * Powertools, libphonenumber's metadata), which is about four fifths of the map. With
 * NODE_OPTIONS=--enable-source-maps, Node reads and parses the whole map when it loads the bundle:
 * initiate-message's 980 KB map cost about 25 ms of every cold start on Node 20, its trimmed 130 KB
 * map about 5. Stack frames in our code still point at our sources; frames inside a package show
 * the bundle's position.
 *
 * Plain JavaScript with no dependencies: the stack runs it with `node` after esbuild, once per
 * function (`node infra/trim-source-map.mjs <dir>/index.mjs.map`), and `npm run bench` imports it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { pathToFileURL } from "node:url";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((char, index) => [char, index]));

/** @param {string} segment @returns {number[]} */
function decodeSegment(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`not a base64 VLQ digit: ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** @param {number} value @returns {string} */
function encodeValue(value) {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let text = "";
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    text += BASE64[digit];
  } while (rest > 0);
  return text;
}

/**
 * The map without mappings into sources that `drop` selects (node_modules by default), and without
 * the sources and names only those mappings used.
 * @param {string} mapText a source map, version 3, as JSON
 * @param {(source: string) => boolean} [drop]
 * @returns {string}
 */
export function trimSourceMap(mapText, drop = (source) => source.includes("node_modules/")) {
  const map = JSON.parse(mapText);
  if (map.version !== 3 || typeof map.mappings !== "string" || map.sections) throw new Error("expected a flat version 3 source map");
  /** @type {string[]} */
  const sources = map.sources;
  /** @type {string[]} */
  const names = map.names ?? [];
  const keptSources = new Map();
  const keptNames = new Map();
  // Absolute values, carried across segments and lines as the format's deltas are.
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  let outSource = 0;
  let outLine = 0;
  let outColumn = 0;
  let outName = 0;
  const lines = map.mappings.split(";").map((mappingLine) => {
    let generated = 0;
    let outGenerated = 0;
    const kept = [];
    for (const segment of mappingLine.split(",")) {
      if (!segment) continue;
      const values = decodeSegment(segment);
      generated += values[0];
      if (values.length < 4) continue; // a segment mapped to no source says nothing worth keeping
      source += values[1];
      line += values[2];
      column += values[3];
      if (values.length >= 5) name += values[4];
      if (drop(sources[source])) continue;
      if (!keptSources.has(source)) keptSources.set(source, keptSources.size);
      const newSource = keptSources.get(source);
      let text =
        encodeValue(generated - outGenerated) +
        encodeValue(newSource - outSource) +
        encodeValue(line - outLine) +
        encodeValue(column - outColumn);
      outGenerated = generated;
      outSource = newSource;
      outLine = line;
      outColumn = column;
      if (values.length >= 5) {
        if (!keptNames.has(name)) keptNames.set(name, keptNames.size);
        const newName = keptNames.get(name);
        text += encodeValue(newName - outName);
        outName = newName;
      }
      kept.push(text);
    }
    return kept.join(",");
  });
  const trimmed = {
    ...map,
    sources: [...keptSources.keys()].map((index) => sources[index]),
    ...(map.sourcesContent ? { sourcesContent: [...keptSources.keys()].map((index) => map.sourcesContent[index]) } : {}),
    names: [...keptNames.keys()].map((index) => names[index]),
    mappings: lines.join(";"),
  };
  return JSON.stringify(trimmed);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write("usage: node infra/trim-source-map.mjs <file.map>...\n");
    process.exit(2);
  }
  for (const file of files) writeFileSync(file, trimSourceMap(readFileSync(file, "utf8")));
}
