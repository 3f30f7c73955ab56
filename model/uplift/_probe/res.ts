console.log(import.meta.resolve("onnxruntime-web"));
const ort = await import("onnxruntime-web");
console.log(Object.keys(ort.env.wasm), ort.env.wasm.numThreads);
