/**
 * Float vectors as OpenAI's `encoding_format: "base64"` sends them: little-endian float32 bytes,
 * base64-encoded. The openai SDK asks for this by default, so translated providers must answer in it.
 */
export function float32Base64(values: readonly number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/** OpenAI's embeddings list from plain vectors. */
export function openAIEmbeddings(
  vectors: readonly (readonly number[])[],
  model: string,
  base64: boolean,
  promptTokens: number,
): Record<string, unknown> {
  return {
    object: 'list',
    data: vectors.map((v, index) => ({
      object: 'embedding',
      index,
      embedding: base64 ? float32Base64(v) : v,
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  }
}
