#!/usr/bin/env node
/*
 * Runs a batch of jobs against real TensorFlow.js (@tensorflow/tfjs, pure JS CPU backend) in one
 * Node.js process, so the tests pay the start-up and import cost (~1 s) once.
 *
 * usage: node tfjs_runner.js <tfjs install prefix> <jobs.json> <results.json>
 *
 * jobs.json is a list of {"id", "op", ...}; results.json gets {id: {"ok": true, ...} or
 * {"ok": false, "error": message}}. Operations:
 *   predict  {dir, json?, strict?, inputs: [{shape, dtype, values}]}       -> {outputs, weights}
 *   resave   {dir, json?, out, includeOptimizer?}                          -> {}
 *   fit      {dir, json?, x, y, fit: {...}, out}                           -> {history, weights}
 *   stringify {text}                               -> {text: JSON.stringify(JSON.parse(text))}
 * `dir` is a model folder, `json` the model.json file name in it (default model.json).
 *
 * tfjs-node's file:// handler does not install here, so `fileIO` below is a file handler that
 * loads as TF.js's HTTP loader does (every group's paths relative to model.json, in order) and
 * saves exactly as tfjs-node's `model.save('file://dir')` (tfjs-node/src/io/file_system.ts).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const [prefix, jobsPath, outPath] = process.argv.slice(2);
const tf = require(path.join(path.resolve(prefix), 'node_modules', '@tensorflow', 'tfjs'));

function fileIO(dir, jsonName) {
  return {
    async load() {
      const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, jsonName || 'model.json'), 'utf8'));
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = [];
        const buffers = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const b = fs.readFileSync(path.join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
          }
          specs.push(...group.weights);
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
    async save(artifacts) {
      fs.mkdirSync(dir, {recursive: true});
      const modelJSON = {
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{paths: ['weights.bin'], weights: artifacts.weightSpecs}],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata != null) {
        modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
      }
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJSON));
      const data = new tf.io.CompositeArrayBuffer(artifacts.weightData).slice();
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(data));
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    },
  };
}

function toTensor(e) {
  return tf.tensor(e.values, e.shape, e.dtype || 'float32');
}

function tensors(entry) {
  return Array.isArray(entry) ? entry.map(toTensor) : toTensor(entry);
}

async function plain(t) {
  return {shape: t.shape, dtype: t.dtype, values: Array.from(await t.data())};
}

async function weightsOf(model) {
  const out = [];
  for (const w of model.weights) out.push({name: w.originalName, ...(await plain(w.read()))});
  return out;
}

const OPS = {
  async predict(job) {
    const model = await tf.loadLayersModel(fileIO(job.dir, job.json), {strict: job.strict !== false});
    const y = model.predict(tensors(job.inputs));
    const outputs = [];
    for (const t of Array.isArray(y) ? y : [y]) outputs.push(await plain(t));
    return {outputs, weights: await weightsOf(model)};
  },
  async resave(job) {
    const model = await tf.loadLayersModel(fileIO(job.dir, job.json));
    await model.save(fileIO(job.out), {includeOptimizer: !!job.includeOptimizer});
    return {};
  },
  async fit(job) {
    const model = await tf.loadLayersModel(fileIO(job.dir, job.json));
    const h = await model.fit(tensors(job.x), tensors(job.y), {...job.fit, verbose: 0});
    await model.save(fileIO(job.out), {includeOptimizer: true});
    return {history: h.history, weights: await weightsOf(model)};
  },
  async stringify(job) {
    return {text: JSON.stringify(JSON.parse(job.text))};
  },
};

async function main() {
  const jobs = JSON.parse(fs.readFileSync(jobsPath, 'utf8'));
  const results = {};
  for (const job of jobs) {
    try {
      results[job.id] = {ok: true, ...(await OPS[job.op](job))};
    } catch (e) {
      results[job.id] = {ok: false, error: String(e && e.message ? e.message : e)};
    }
  }
  fs.writeFileSync(outPath, JSON.stringify(results));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
