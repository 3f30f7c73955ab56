"use strict";
// A stand-in for sharp, which @xenova/transformers imports for image pipelines. The engine only runs
// text models, and the real package's native binding makes the import crash under Deno (SPEC), so
// package.json's `overrides` point every `sharp` dependency here.
const MESSAGE = "Image processing is not available: sharp is replaced by a stub (vendor/sharp), " +
  "the engine only runs text models";

function sharp() {
  throw new Error(MESSAGE);
}

module.exports = sharp;
