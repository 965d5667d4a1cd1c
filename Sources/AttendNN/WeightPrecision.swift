/// Storage precision of the weight matrices a generation stepper reads.
public enum WeightPrecision: String, CaseIterable, Codable, Sendable {
    /// The model's own fp32 weights (the default; steps equal the parallel form to rounding).
    case float32 = "fp32"
    /// A bfloat16 copy of every weight matrix (attention and feed-forward projections, output head),
    /// rounded to nearest when the stepper is made. Half the bytes streamed per token; arithmetic,
    /// biases, norms, embeddings and the attention state stay fp32. Each weight moves by at most 2⁻⁸
    /// relative — a milder form of the trade made by running a PyTorch model in bfloat16 for inference
    /// (there activations are bfloat16 too).
    case bfloat16 = "bf16"
}
