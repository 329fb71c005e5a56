// ONNX graphs of the decoder-only Transformer (transformer.ts), from MatMul, Add, Softmax and
// LayerNormalization (opset 17):
//
//   input_ids [batch, seq] → Gather(token table [V, C], already × √C)
//     + Gather(positional table [contextSize, C], positions past .. past+seq−1)
//   → per block: x += proj(attention(LN1(x)));  x += down(ReLU(up(LN2(x))))
//   → LayerNormalization → MatMul(head) + head/bias → logits [batch, seq, V]
//
// Attention per block: qkv = LN1(x) Wqkv + bqkv, with 1/√d folded into the query columns
// (as the model does); Split into q, k, v [batch, seq, C]; Reshape to [batch, seq, heads, d]
// and Transpose to [batch, heads, seq, d]; scores = q kᵀ + mask; Softmax; times v; heads side
// by side again; output projection.
//
// The step graph takes each block's past keys and values, past_key_i / past_value_i
// [batch, heads, past, d], appends this call's keys and values along axis 2 and returns them
// as present_key_i / present_value_i [batch, heads, past+seq, d]. Positions come from the past
// length: the tokens of a call sit at positions past .. past+seq−1, so a cache that has
// slid (transformer.ts: keep the last tokens, recompute them from position 0) is rebuilt by
// feeding the kept tokens with an empty past. past+seq must not exceed contextSize: the
// positional Gather then fails, rather than giving wrong logits.
//
// The mask: query i (position past+i) sees keys 0 .. past+i; later keys get −1e9 (MASKED),
// as in the model. The full graph is the same graph with past = 0 and no cache in or out.
import { fixedPositionalValue, LAYER_NORM_EPSILON, MASKED, queryScale } from '../models/transformerNumbers';
import type { TransformerConfig } from '../models/sequenceModel';
import { OnnxGraph } from './onnxGraph';
import { matMul, readWeight, scaled, transpose, type ModelWeights } from './weightArrays';

/** The token table at model width [V, C], before the √C scale: what a tied head uses transposed. */
function tokenTable(model: ModelWeights, config: TransformerConfig): Float32Array {
  const { vocabSize: V, modelSize: C } = config;
  if (config.input === 'onehot') return readWeight(model, 'input/kernel').data;
  const embedding = readWeight(model, 'embedding').data;
  if (config.embeddingSize === C) return embedding;
  return matMul(embedding, readWeight(model, 'embedding/proj').data, V, config.embeddingSize, C);
}

/** The positional table [contextSize, C]: the learned weight, or the fixed values in float32. */
function positionTable(model: ModelWeights, config: TransformerConfig): Float32Array {
  const { contextSize, modelSize: C, positional } = config;
  if (positional === 'learned') return readWeight(model, 'position').data;
  const table = new Float32Array(contextSize * C);
  for (let pos = 0; pos < contextSize; pos++) {
    for (let c = 0; c < C; c++) table[pos * C + c] = fixedPositionalValue(positional, pos, c, C);
  }
  return table;
}

/** The qkv kernel [C, 3C] and bias [3C] with the query columns times 1/√d (unless the model switches it off). */
function scaledQkv(model: ModelWeights, config: TransformerConfig, block: number): { kernel: Float32Array; bias: Float32Array } {
  const C = config.modelSize;
  const scale = queryScale(C, config.heads, config.scaleScores ?? true);
  const kernel = readWeight(model, `block${block}/attn/qkv/kernel`).data;
  const bias = readWeight(model, `block${block}/attn/qkv/bias`).data;
  for (let r = 0; r < C; r++) {
    for (let c = 0; c < C; c++) kernel[r * 3 * C + c] *= scale;
  }
  for (let c = 0; c < C; c++) bias[c] *= scale;
  return { kernel, bias };
}

/**
 * The graph of a Transformer model: `withState` false gives the full-sequence graph
 * (input_ids → logits), true the step graph (also the key/value caches in and out).
 */
export function transformerGraph(model: ModelWeights, withState: boolean): OnnxGraph {
  const config = model.config;
  if (config.arch !== 'transformer') throw new Error('transformerGraph: not a Transformer');
  const { vocabSize: V, modelSize: C, heads: H, layers: L, contextSize } = config;
  const d = C / H;
  const g = new OnnxGraph(`seqlab_transformer_${withState ? 'step' : 'full'}`);
  const weight = (name: string, dims: number[]) => g.addFloats(name, readWeight(model, name).data, dims);
  const linear = (x: string, kernel: string, bias: string) => g.op1('Add', [g.op1('MatMul', [x, kernel]), bias]);
  const layerNorm = (x: string, prefix: string) =>
    g.op1('LayerNormalization', [x, weight(`${prefix}/gamma`, [C]), weight(`${prefix}/beta`, [C])], {
      axis: { int: -1 },
      epsilon: { float: LAYER_NORM_EPSILON },
    });

  const ids = g.addInput('input_ids', 'int64', ['batch', 'sequence'], 'token ids');
  const pastKeys: string[] = [];
  const pastValues: string[] = [];
  if (withState) {
    for (let i = 0; i < L; i++) {
      pastKeys.push(g.addInput(`past_key_${i}`, 'float32', ['batch', H, 'past_sequence', d], `block ${i}'s keys of the tokens before`));
      pastValues.push(g.addInput(`past_value_${i}`, 'float32', ['batch', H, 'past_sequence', d], `block ${i}'s values of the tokens before`));
    }
  }

  // Positions past .. past+seq−1 and the causal mask [seq, past+seq].
  const seq = g.op1('Gather', [g.op1('Shape', [ids]), g.int64(1)]); // scalar
  const past = withState ? g.op1('Gather', [g.op1('Shape', [pastKeys[0]]), g.int64(2)]) : g.int64(0);
  const total = g.op1('Add', [past, seq]);
  const positions = g.op1('Range', [past, total, g.int64(1)]); // [seq]
  const keyPositions = g.op1('Range', [g.int64(0), total, g.int64(1)]); // [past+seq]
  const future = g.op1('Greater', [keyPositions, g.op1('Unsqueeze', [positions, g.int64([1])])]); // [seq, past+seq]
  const mask = g.op1('Where', [future, g.float(MASKED), g.float(0)]);

  const table = g.addFloats('token_table', scaled(tokenTable(model, config), Math.sqrt(C)), [V, C]);
  const tokens = g.op1('Gather', [table, ids]); // [batch, seq, C]
  const positional = g.op1('Gather', [g.addFloats('position_table', positionTable(model, config), [contextSize, C]), positions]);
  let x = g.op1('Add', [tokens, positional]);

  const toHeads = (t: string) => g.op1('Transpose', [g.op1('Reshape', [t, g.int64([0, 0, H, d])])], { perm: { ints: [0, 2, 1, 3] } });
  for (let i = 0; i < L; i++) {
    const p = `block${i}`;
    const qkvWeights = scaledQkv(model, config, i);
    const qkv = linear(layerNorm(x, `${p}/ln1`), g.addFloats(`${p}/attn/qkv/kernel_scaled`, qkvWeights.kernel, [C, 3 * C]), g.addFloats(`${p}/attn/qkv/bias_scaled`, qkvWeights.bias, [3 * C]));
    const [q, k, v] = g.op('Split', [qkv, g.int64([C, C, C])], { axis: { int: 2 } }, 3).map(toHeads); // [batch, H, seq, d]
    const keys = withState ? g.op1('Concat', [pastKeys[i], k], { axis: { int: 2 } }, `present_key_${i}`) : k;
    const values = withState ? g.op1('Concat', [pastValues[i], v], { axis: { int: 2 } }, `present_value_${i}`) : v;
    const keysT = g.op1('Transpose', [keys], { perm: { ints: [0, 1, 3, 2] } });
    const scores = g.op1('Add', [g.op1('MatMul', [q, keysT]), mask]); // [batch, H, seq, past+seq]
    const attended = g.op1('MatMul', [g.op1('Softmax', [scores], { axis: { int: -1 } }), values]); // [batch, H, seq, d]
    const merged = g.op1('Reshape', [g.op1('Transpose', [attended], { perm: { ints: [0, 2, 1, 3] } }), g.int64([0, 0, C])]);
    x = g.op1('Add', [x, linear(merged, weight(`${p}/attn/proj/kernel`, [C, C]), weight(`${p}/attn/proj/bias`, [C]))]);
    const up = g.op1('Relu', [linear(layerNorm(x, `${p}/ln2`), weight(`${p}/ffn/up/kernel`, [C, config.ffnSize]), weight(`${p}/ffn/up/bias`, [config.ffnSize]))]);
    x = g.op1('Add', [x, linear(up, weight(`${p}/ffn/down/kernel`, [config.ffnSize, C]), weight(`${p}/ffn/down/bias`, [C]))]);
  }

  const headKernel = config.tieWeights
    ? g.addFloats('head/kernel_tied', transpose(tokenTable(model, config), V, C), [C, V])
    : weight('head/kernel', [C, V]);
  const final = layerNorm(x, 'final/ln');
  g.op1('Add', [g.op1('MatMul', [final, headKernel]), weight('head/bias', [V])], {}, 'logits');
  g.addOutput('logits', 'float32', ['batch', 'sequence', V], 'next-token logits after each token');
  for (let i = 0; i < L && withState; i++) {
    g.addOutput(`present_key_${i}`, 'float32', ['batch', H, 'total_sequence', d], `block ${i}'s keys, past and new`);
    g.addOutput(`present_value_${i}`, 'float32', ['batch', H, 'total_sequence', d], `block ${i}'s values, past and new`);
  }
  return g;
}
