import AttendData
import AttendModels
import AttendNN
import AttendTrain
import Foundation

/// The encoder–decoder family in studies: `model` holds any `EncoderDecoderConfig` key but the
/// vocabulary, the length limit and the special ids (the task fixes them; the rest defaults to the
/// Tatoeba preset), `training` any `TranslationTrainConfig` key that matters for a run in memory
/// (`maxSteps` and `evalInterval` are required).
enum EncoderDecoderFamily {
    static let fixedKeys: Set<String> = ["vocabSize", "maxLength", "padID", "bosID", "eosID"]
    /// The keys a default config writes, plus the optional ones it leaves out while unset (`keyDim`).
    static let modelKeys: [String] = {
        let written = (try? JSONValue(encoding: EncoderDecoderConfig(vocabSize: 16)))?.members.keys.sorted() ?? []
        return Set(written + ["keyDim"]).subtracting(fixedKeys).sorted()
    }()
    static let trainingKeys = ["batchTokens", "maxSteps", "warmupSteps", "learningRateScale", "labelSmoothing", "beta1", "beta2",
                               "epsilon", "gradClip", "evalInterval", "precision", "evalBleu"]

    static func model(_ object: JSONValue, vocab: Int, maxLength: Int) throws -> EncoderDecoderConfig {
        let defaults = EncoderDecoderConfig(vocabSize: vocab, maxLength: maxLength)
        let config: EncoderDecoderConfig = try (try JSONValue(encoding: defaults)).merged(with: object).decode()
        try config.validate()
        return config
    }

    static func training(_ object: JSONValue, seed: UInt64) throws -> TranslationTrainConfig {
        struct Required: Decodable { var maxSteps, evalInterval: Int }
        _ = try object.decode(as: Required.self)
        var config: TranslationTrainConfig = try (try JSONValue(encoding: TranslationTrainConfig())).merged(with: object).decode()
        config.seed = seed
        try config.validate()
        return config
    }

    static func schema(vocab: Int, maxLength: Int) -> ConfigSchema {
        ConfigSchema(modelKeys: modelKeys, trainingKeys: trainingKeys, kindKey: nil,
                     checkModel: { _ = try model($0, vocab: vocab, maxLength: maxLength) },
                     checkTraining: { _ = try training($0, seed: 0) })
    }
}
