import AttendData
import AttendModels
import AttendNN
import AttendTensor
import Foundation

/// A model that an export format cannot express, or an export folder that cannot be read back.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// `setting` (a config.json key) has a value the target format has no equivalent for.
    case unsupported(setting: String, message: String)
    /// An export or import folder lacks a file or holds a wrong one.
    case badFolder(String)

    public var description: String {
        switch self {
        case let .unsupported(setting, message): return "cannot export: \(setting) \(message)"
        case let .badFolder(message): return message
        }
    }
}

/// A decoder-only character model as a Hugging Face GPT-2 folder (`GPT2LMHeadModel`): config.json,
/// model.safetensors with GPT-2's tensor names and Conv1D layout, and the character vocabulary as
/// tokenizer.json + tokenizer_config.json.
///
/// GPT-2 computes x + attn(LN₁(x)), h + MLP(LN₂(h)), LN_f, logits = h·W_teᵀ, with learned absolute
/// positions, softmax attention scaled by 1/√headDim and Conv1D weights stored [in, out] (so every
/// Attend `Linear` weight [out, in] is transposed). What GPT-2 has and Attend may lack is written
/// neutrally: a model trained with `bias: false` gets zero biases (LN shift 0, Conv1D bias 0), which
/// computes the same function. What Attend may have and GPT-2 lacks is refused (`ExportError.unsupported`).
public enum HuggingFaceExport {
    /// Throws `ExportError.unsupported` naming the first setting of `config` that GPT-2 cannot express.
    public static func check(_ config: ModelConfig) throws {
        func refuse(_ setting: String, _ message: String) -> ExportError { .unsupported(setting: setting, message: message) }
        if config.attention != .softmax {
            throw refuse("attention", "'\(config.attention.rawValue)': GPT-2 has softmax attention only — use `attend export pytorch`, whose model.py runs linear attention")
        }
        if config.positionBias != .none {
            throw refuse("positionBias", "'\(config.positionBias.rawValue)': GPT-2 has no relative-position score bias (learned absolute positions only)")
        }
        if !config.dotProduct { throw refuse("dotProduct", "false: GPT-2 attention scores are query·key products; dot-product-free attention has none") }
        if config.rotary { throw refuse("rotary", "true: GPT-2 has no rotary position embeddings (GPT-J / GPT-NeoX do)") }
        if config.positions != .learned {
            throw refuse("positions", "'\(config.positions.rawValue)': GPT-2 adds a learned position table; a model without one cannot be written as GPT-2")
        }
        if config.normPlacement != .pre { throw refuse("normPlacement", "'post': GPT-2 is pre-LN (x + f(LN(x)))") }
        if config.activation != .gelu && config.activation != .geluExact {
            throw refuse("activation", "'\(config.activation.rawValue)': the export writes GPT-2's GELU only (gelu → gelu_new, gelu-exact → gelu)")
        }
    }

    /// Hugging Face's name for Attend's activation: the tanh form is `gelu_new`, the erf form `gelu`.
    public static func activationName(_ activation: Activation) -> String { activation == .geluExact ? "gelu" : "gelu_new" }

    /// GPT-2's config.json for `config` (keys of `transformers.GPT2Config`).
    public static func configJSON(_ config: ModelConfig) throws -> Data {
        try check(config)
        let object: [String: Any] = [
            "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
            "vocab_size": config.vocabSize, "n_positions": config.contextLength, "n_ctx": config.contextLength,
            "n_embd": config.modelDim, "n_layer": config.numLayers, "n_head": config.numHeads, "n_inner": config.hiddenDim,
            "activation_function": activationName(config.activation),
            "resid_pdrop": config.dropout, "embd_pdrop": config.dropout, "attn_pdrop": config.dropout,
            "layer_norm_epsilon": 1e-5, "initializer_range": 0.02, "scale_attn_weights": true,
            "tie_word_embeddings": config.tieWeights, "use_cache": true,
            "bos_token_id": NSNull(), "eos_token_id": NSNull(), "pad_token_id": NSNull(),
            "torch_dtype": "float32",
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// Attend's weights (`namedParameters()` of a `DecoderOnly` built from `config`) under GPT-2's names:
    /// Linear weights transposed to Conv1D's [in, out], zero biases where `config.bias` is false.
    public static func tensors(_ weights: [String: Tensor], config: ModelConfig) throws -> [(name: String, tensor: Tensor)] {
        try check(config)
        func take(_ name: String) throws -> Tensor {
            guard let t = weights[name] else { throw ExportError.badFolder("the checkpoint lacks tensor \(name); it was not written by this version of `attend train`") }
            return t
        }
        func transposed(_ name: String) throws -> Tensor {
            let t = try take(name)
            let (rows, cols) = (t.shape[0], t.shape[1])
            let out = Tensor(uninitializedShape: [cols, rows])
            for r in 0..<rows { for c in 0..<cols { out.pointer[c * rows + r] = t.pointer[r * cols + c] } }
            return out
        }
        func bias(_ name: String, width: Int) throws -> Tensor { config.bias ? try take(name) : Tensor.zeros([width]) }
        let c = config.modelDim
        var out: [(name: String, tensor: Tensor)] = [
            ("transformer.wte.weight", try take("tokenEmbedding.weight")),
            ("transformer.wpe.weight", try take("positionEmbedding.weight")),
        ]
        for i in 0..<config.numLayers {
            let a = "blocks.\(i).", h = "transformer.h.\(i)."
            out += [
                (h + "ln_1.weight", try take(a + "norm1.weight")), (h + "ln_1.bias", try bias(a + "norm1.bias", width: c)),
                (h + "attn.c_attn.weight", try transposed(a + "attention.qkv.weight")),
                (h + "attn.c_attn.bias", try bias(a + "attention.qkv.bias", width: 3 * c)),
                (h + "attn.c_proj.weight", try transposed(a + "attention.output.weight")),
                (h + "attn.c_proj.bias", try bias(a + "attention.output.bias", width: c)),
                (h + "ln_2.weight", try take(a + "norm2.weight")), (h + "ln_2.bias", try bias(a + "norm2.bias", width: c)),
                (h + "mlp.c_fc.weight", try transposed(a + "feedForward.up.weight")),
                (h + "mlp.c_fc.bias", try bias(a + "feedForward.up.bias", width: config.hiddenDim)),
                (h + "mlp.c_proj.weight", try transposed(a + "feedForward.down.weight")),
                (h + "mlp.c_proj.bias", try bias(a + "feedForward.down.bias", width: c)),
            ]
        }
        out += [("transformer.ln_f.weight", try take("finalNorm.weight")), ("transformer.ln_f.bias", try bias("finalNorm.bias", width: c))]
        if !config.tieWeights { out.append(("lm_head.weight", try take("head.weight"))) }
        return out
    }

    /// Writes the GPT-2 folder for the character-LM checkpoint folder `checkpoint` into `out`
    /// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json).
    public static func write(checkpoint: URL, to out: URL) throws {
        let state = try Checkpoint.loadState(checkpoint)
        let config = state.config.model
        try check(config)
        let weights: [String: Tensor]
        do { weights = try Safetensors.read(checkpoint.appendingPathComponent("model.safetensors")).tensors }
        catch let e as TensorFileError { throw CheckpointError.corrupt(checkpoint.path, reason: e.description) }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try AtomicFile.write(try configJSON(config), to: out.appendingPathComponent("config.json"))
        // transformers refuses safetensors files whose metadata lacks format "pt".
        try Safetensors.write(try tensors(weights, config: config), metadata: ["format": "pt"],
                              to: out.appendingPathComponent("model.safetensors"))
        try HuggingFaceTokenizer.characters(state.tokenizer).write(to: out.appendingPathComponent("tokenizer.json"))
        let tokenizerConfig: [String: Any] = ["tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": config.contextLength,
                                              "clean_up_tokenization_spaces": false]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: tokenizerConfig, options: [.prettyPrinted, .sortedKeys]),
                             to: out.appendingPathComponent("tokenizer_config.json"))
    }
}
