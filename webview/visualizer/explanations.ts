// The few sentences next to each view that tie the picture to the lecture's equations
// (the course notes on deep sequence modelling: RNNs, BPTT, LSTMs, embeddings, attention).

export interface Explanation {
  readonly title: string;
  /** The equation, in plain text with Unicode. */
  readonly equation: string;
  readonly paragraphs: readonly string[];
}

export const explanations = {
  attention: {
    title: 'Self-attention',
    equation: 'Attention(Q, K, V) = softmax(QKᵀ / √d) V',
    paragraphs: [
      'Each row is one query token, each column one key token. A cell is how much the query takes from that key: row q is softmax(q·kᵀ/√d) over the keys, so every row sums to 1.',
      'The upper triangle stays empty: the causal mask sets those scores to −∞ before the softmax, so a token never sees the tokens after it — the model predicts the next token from the past only.',
      'Multi-head attention runs several of these at once, each head with its own Q, K, V projections, so each can learn a different relation (the previous token, the matching bracket, the start of the line). The head average shows what the layer takes overall.',
      'Click a row (or press Enter on it) to highlight what that token attends to, here and in the editor.',
    ],
  },
  positional: {
    title: 'Positional encoding',
    equation: 'PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d))',
    paragraphs: [
      'Attention by itself is blind to order: permute the tokens and its outputs permute the same way. So each position adds a vector of its own to the token vector before the first layer.',
      'Rows are the positions of the window, columns the dimensions. Each pair of columns is a clock of its own frequency: the left columns turn fast, the right ones slowly, so nearby positions get similar vectors. (A learned encoding shows its trained table instead.)',
    ],
  },
  lstm: {
    title: 'LSTM gates',
    equation:
      'f = σ(W_f x_t + U_f h_{t−1} + b_f),  i = σ(…),  o = σ(…),  c̃ = tanh(…)\nc_t = f ⊙ c_{t−1} + i ⊙ c̃,   h_t = o ⊙ tanh(c_t)',
    paragraphs: [
      'Rows are units, columns the tokens before the cursor. Gates are sigmoids in [0, 1] (background = 0, strong colour = 1); candidate, cell and hidden state are signed (one colour below 0, the other above).',
      'Forget: which parts of the old cell to keep. Input (store): how much of the new candidate to write. The cell update is additive — c_t = f ⊙ c_{t−1} + i ⊙ c̃ — which gives the gradient an uninterrupted path back through time. Output: which parts of the cell to show as h_t.',
      'A unit whose forget gate stays near 1 carries its memory across the whole window. Sort units by variance to find the ones that react to this text.',
    ],
  },
  gru: {
    title: 'GRU gates',
    equation: 'z = σ(W_z x_t + U_z h_{t−1}),  r = σ(W_r x_t + U_r h_{t−1})\nh̃ = tanh(W x_t + r ⊙ (U h_{t−1})),   h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃',
    paragraphs: [
      'Rows are units, columns the tokens before the cursor. The update gate z decides how much of the new candidate replaces the old state (z near 0 keeps memory); the reset gate r decides how much of the old state the candidate sees.',
      'Like the LSTM cell, the (1 − z) ⊙ h_{t−1} path lets memory and gradient pass through time almost unchanged.',
    ],
  },
  rnn: {
    title: 'RNN hidden state',
    equation: 'h_t = f(W x_t + U h_{t−1} + b),   y_t = g(V h_t)',
    paragraphs: [
      'Rows are units, columns the tokens before the cursor: the hidden state h_t is the network’s only memory, rewritten at every step by the same W and U.',
      'Everything the model knows about earlier tokens must survive repeated multiplication by U and the nonlinearity — see the gradient flow view for what that does to learning.',
    ],
  },
  next: {
    title: 'Next-token distribution',
    equation: 'p(x_{t+1} = i | x_≤t) = exp(z_i / τ) / Σ_j exp(z_j / τ)',
    paragraphs: [
      'The model’s output after the last token before the cursor: logits z = V h_t turned into probabilities by a softmax. Bars show the most likely next tokens; the tick on each bar is its probability at τ = 1, the model’s own distribution.',
      'Temperature τ reshapes it: below 1 the likely tokens take even more mass (τ → 0 is greedy decoding), above 1 the distribution flattens towards uniform. Entropy counts the bits of uncertainty. Sample draws one token from the distribution as shown.',
    ],
  },
  nextNgram: {
    title: 'Next-character distribution (n-gram)',
    equation: 'P(c | h) = max(a(h c) − D, 0) / A(h) + γ(h) · P(c | h′)',
    paragraphs: [
      'An n-gram model has no hidden state, gates or attention to show: it looks the previous n − 1 characters up in its count tables (Kneser-Ney: discounted counts, backing off to shorter contexts).',
      'The bars are its next-character probabilities; the temperature slider reshapes them the same way as a network’s (p^(1/τ), renormalised).',
    ],
  },
  embeddings: {
    title: 'Token embeddings',
    equation: 'token index i → vector e_i (row i of the embedding table);  PCA: top 2 eigenvectors of Cov(e)',
    paragraphs: [
      'The lecture’s step 3: map each index to a vector. One-hot vectors are all equally far apart; learned embeddings put tokens that behave alike close together.',
      'This map projects every token’s vector onto the two directions of greatest variance (PCA). The share of variance each axis explains says how much of the picture is lost. Tokens before the cursor are labelled; search to find others.',
    ],
  },
  gradient: {
    title: 'Gradient flow through time',
    equation: '∂L/∂h_t = ∂L/∂h_T · ∏_{k=t+1..T} ∂h_k/∂h_{k−1},   RNN: ∂h_k/∂h_{k−1} = diag(f′(a_k)) U',
    paragraphs: [
      'Backpropagation through time: the loss of predicting the last token before the cursor, sent back to every earlier step. Each step back multiplies by the same Jacobian, so the norm shrinks (vanishing: early tokens cannot be learned from) or grows (exploding) geometrically — a straight line on this log scale.',
      'Remedies from the lecture: ReLU (f′ = 1 where active instead of tanh′ ≤ 1), initialising U to the identity, and gated cells (the LSTM’s additive cell path). The freshly initialised comparisons run on the same tokens.',
      'Clipping rescales the whole gradient when its norm passes a threshold: it tames exploding gradients but cannot bring back a vanished one — the curve keeps its shape.',
    ],
  },
  training: {
    title: 'Training curves',
    equation: 'L = Σ_t L_t = −Σ_t log p(x_{t+1} | x_≤t);   bits/char = L / (characters · ln 2)',
    paragraphs: [
      'The loss the trainer minimised, on training batches and on held-out files, as the model file records it. Validation bits per character compare any model, n-gram included: lower is better.',
    ],
  },
} satisfies Record<string, Explanation>;

export type ExplanationKey = keyof typeof explanations;

export function explanationElement(key: ExplanationKey): HTMLElement {
  const e: Explanation = explanations[key];
  const aside = document.createElement('aside');
  aside.className = 'explain';
  aside.setAttribute('aria-label', `About: ${e.title}`);
  const h = document.createElement('h3');
  h.textContent = e.title;
  const eq = document.createElement('pre');
  eq.className = 'equation';
  eq.textContent = e.equation;
  aside.append(h, eq);
  for (const text of e.paragraphs) {
    const p = document.createElement('p');
    p.textContent = text;
    aside.append(p);
  }
  return aside;
}
