import AttendModels
import AttendNN
import AttendTrain
import Foundation

/// How a training task turns a spec's `model` and `training` objects into validated configurations.
/// The checks throw `ConfigError`s and `DecodingError`s relative to the object; `Sweep` prefixes the
/// spec path, so an error names the field (`experiments[2].variants[1].model.numHeads`).
struct ConfigSchema: Sendable {
    /// Keys the model object may set (the model family's config keys, minus those the task fixes).
    var modelKeys: [String]
    /// Keys the training object may set.
    var trainingKeys: [String]
    /// The model key an entry of `kinds` sets (nil: the task takes no `kinds`).
    var kindKey: String?
    /// Decodes and validates a model object.
    var checkModel: @Sendable (JSONValue) throws -> Void
    /// Decodes and validates a training object.
    var checkTraining: @Sendable (JSONValue) throws -> Void
}

/// The runs of a training experiment: a base `model` and `training` object, crossed with the axes
/// present — `kinds` (attention kinds), `grid` (dotted path → values, e.g. `"model.numHeads": [1, 2, 4]`),
/// `variants` (named patches of either object) — and `seeds`. Each run's configuration is the base with
/// its kind, grid values and variant patch applied (JSON merge patch), decoded strictly by the task.
struct Sweep: Equatable, Sendable {
    /// One grid axis: a dotted path into the run configuration and its values.
    struct Axis: Equatable, Sendable {
        var path: String
        var values: [JSONValue]
    }
    /// A named patch of the model and/or training object.
    struct Variant: Equatable, Sendable {
        var name: String
        var patch: JSONValue
    }

    var model: JSONValue
    var training: JSONValue
    var kinds: [AttentionKind]
    var grid: [Axis]
    var variants: [Variant]
    var seeds: [Int]
    var kindKey: String?

    static let keys = ["model", "training", "kinds", "grid", "variants", "seeds"]
    static let listKeys = ["kinds", "grid", "variants", "seeds"]

    static func == (a: Sweep, b: Sweep) -> Bool {
        a.model == b.model && a.training == b.training && a.kinds == b.kinds && a.grid == b.grid && a.variants == b.variants && a.seeds == b.seeds
    }

    /// Reads the sweep keys of an experiment and checks every run's configuration against `schema`.
    init(_ c: StrictContainer, schema: ConfigSchema) throws {
        kindKey = schema.kindKey
        model = try c("model", as: JSONValue.self)
        training = try c("training", as: JSONValue.self)
        for (key, value, allowed) in [("model", model, schema.modelKeys), ("training", training, schema.trainingKeys)] {
            guard case let .object(members) = value else { throw c.invalid(key, "must be an object") }
            for k in members.keys.sorted() where !allowed.contains(k) {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [AnyKey(key), AnyKey(k)],
                    debugDescription: "unknown key; allowed keys here: \(allowed.joined(separator: ", "))"))
            }
        }
        if c.has("kinds") {
            guard schema.kindKey != nil else { throw c.invalid("kinds", "this task takes no kinds; vary the attention with grid or variants") }
            kinds = try decodeKinds(c)
        } else {
            kinds = []
        }
        grid = []
        if c.has("grid") {
            let object = try c("grid", as: [String: JSONValue].self)
            for path in object.keys.sorted() {
                let parts = path.split(separator: ".").map(String.init)
                let allowed = parts.first == "model" ? schema.modelKeys : parts.first == "training" ? schema.trainingKeys : []
                guard parts.count == 2, allowed.contains(parts[1]) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [AnyKey("grid"), AnyKey(path)],
                        debugDescription: "a grid axis is model.<key> or training.<key>; model keys: \(schema.modelKeys.joined(separator: ", ")); training keys: \(schema.trainingKeys.joined(separator: ", "))"))
                }
                guard case let .array(values) = object[path]!, !values.isEmpty, Set(values).count == values.count else {
                    throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [AnyKey("grid"), AnyKey(path)],
                        debugDescription: "must be a non-empty list of distinct values"))
                }
                grid.append(Axis(path: path, values: values))
            }
        }
        variants = []
        if c.has("variants") {
            let list = try c("variants", as: [JSONValue].self)
            if list.isEmpty { throw c.invalid("variants", "must list at least one {name, model?, training?} patch") }
            for (i, item) in list.enumerated() {
                let path = c.codingPath + [AnyKey("variants"), AnyKey(index: i)]
                func fail(_ key: String?, _ message: String) -> DecodingError {
                    DecodingError.dataCorrupted(.init(codingPath: path + (key.map { [AnyKey($0)] } ?? []), debugDescription: message))
                }
                guard case let .object(m) = item else { throw fail(nil, "must be an object {name, model?, training?}") }
                for k in m.keys.sorted() where !["name", "model", "training"].contains(k) {
                    throw fail(k, "unknown key; allowed keys here: name, model, training")
                }
                guard case let .string(name)? = m["name"], !name.isEmpty, !name.contains(where: { ",=/".contains($0) }) else {
                    throw fail("name", "must be a non-empty name without ',', '=' or '/'")
                }
                if variants.contains(where: { $0.name == name }) { throw fail("name", "'\(name)' is used twice; variant names must be unique") }
                for (key, allowed) in [("model", schema.modelKeys), ("training", schema.trainingKeys)] {
                    guard let patch = m[key] else { continue }
                    guard case let .object(members) = patch else { throw fail(key, "must be an object") }
                    for k in members.keys.sorted() where !allowed.contains(k) {
                        throw DecodingError.dataCorrupted(.init(codingPath: path + [AnyKey(key), AnyKey(k)],
                            debugDescription: "unknown key; allowed keys here: \(allowed.joined(separator: ", "))"))
                    }
                }
                var patch = m
                patch["name"] = nil
                variants.append(Variant(name: name, patch: .object(patch)))
            }
        }
        seeds = try c.optional("seeds") ?? [1]
        if seeds.isEmpty || seeds.contains(where: { $0 < 0 }) { throw c.invalid("seeds", "must be a non-empty list of non-negative integers") }
        try check(c.codingPath, schema)
    }

    /// Checks the base, then each kind, grid value and variant on its own (so an error names the entry
    /// that causes it), then every combination.
    private func check(_ path: [CodingKey], _ schema: ConfigSchema) throws {
        func run(_ p: [CodingKey], _ config: JSONValue) throws {
            try prefixingErrors(p + [AnyKey("model")]) { try schema.checkModel(config.members["model"] ?? .null) }
            try prefixingErrors(p + [AnyKey("training")]) { try schema.checkTraining(config.members["training"] ?? .null) }
        }
        /// Reports an error of a combination at the entry that makes it (`grid.model.numHeads`), naming the field.
        func at(_ p: [CodingKey], _ body: () throws -> Void) throws {
            do { try body() } catch {
                let e = SpecError.from(error, file: "")
                throw DecodingError.dataCorrupted(.init(codingPath: p, debugDescription: "\(e.field): \(e.message)"))
            }
        }
        let base = JSONValue.object(["model": model, "training": training])
        try run(path, base)
        if let key = kindKey {
            for (i, k) in kinds.enumerated() {
                try at(path + [AnyKey("kinds[\(i)]")]) { try run([], base.setting(["model", key], to: .string(k.rawValue))) }
            }
        }
        for axis in grid {
            for v in axis.values {
                try at(path + [AnyKey("grid"), AnyKey(axis.path)]) {
                    try run([], base.setting(axis.path.split(separator: ".").map(String.init), to: v))
                }
            }
        }
        for (i, v) in variants.enumerated() {
            try run(path + [AnyKey("variants"), AnyKey(index: i)], base.merged(with: v.patch))
        }
        for parameters in runs() {
            let id = parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: ",")
            try at(path + [AnyKey("run \(id)")]) { try run([], resolved(parameters)) }
        }
    }

    func encode(to c: inout KeyedEncodingContainer<AnyKey>) throws {
        try c.encode(model, forKey: AnyKey("model"))
        try c.encode(training, forKey: AnyKey("training"))
        if !kinds.isEmpty { try c.encode(kinds, forKey: AnyKey("kinds")) }
        if !grid.isEmpty {
            try c.encode(Dictionary(uniqueKeysWithValues: grid.map { ($0.path, JSONValue.array($0.values)) }), forKey: AnyKey("grid"))
        }
        if !variants.isEmpty {
            try c.encode(variants.map { JSONValue.object($0.patch.members.merging(["name": .string($0.name)]) { a, _ in a }) }, forKey: AnyKey("variants"))
        }
        try c.encode(seeds, forKey: AnyKey("seeds"))
    }

    /// Parameters of every run: kind × grid values × variant × seed (the axes present), in that order.
    func runs() -> [[String: String]] {
        var out: [[String: String]] = [[:]]
        func cross(_ key: String, _ values: [String]) {
            out = out.flatMap { p in values.map { v in p.merging([key: v]) { _, b in b } } }
        }
        if !kinds.isEmpty { cross("kind", kinds.map(\.rawValue)) }
        for axis in grid { cross(axis.path, axis.values.map(\.parameterText)) }
        if !variants.isEmpty { cross("variant", variants.map(\.name)) }
        cross("seed", seeds.map(String.init))
        return out
    }

    /// The run's configuration {model, training}: the base with its kind, grid values and variant patch.
    func resolved(_ parameters: [String: String]) -> JSONValue {
        var config = JSONValue.object(["model": model, "training": training])
        if let key = kindKey, let kind = parameters["kind"] { config = config.setting(["model", key], to: .string(kind)) }
        for axis in grid {
            guard let text = parameters[axis.path], let value = axis.values.first(where: { $0.parameterText == text }) else { continue }
            config = config.setting(axis.path.split(separator: ".").map(String.init), to: value)
        }
        if let name = parameters["variant"], let v = variants.first(where: { $0.name == name }) { config = config.merged(with: v.patch) }
        return config
    }

    /// A label for the run's variant in tables and figures: every parameter but the seed.
    static func label(_ parameters: [String: String]) -> String {
        let keys = parameters.keys.filter { $0 != "seed" }.sorted()
        if keys.isEmpty { return "base" }
        return keys.map { k in
            k == "kind" || k == "variant" ? parameters[k]! : "\(k.split(separator: ".").last.map(String.init) ?? k)=\(parameters[k]!)"
        }.joined(separator: ", ")
    }

    /// A Markdown description of the axes (for the report's hyperparameter section).
    func axesText(_ w: ReportWords) -> String {
        var parts: [String] = []
        if !kinds.isEmpty { parts.append(w.f("attention kinds %@", kinds.map { "`\($0.rawValue)`" }.joined(separator: ", "))) }
        for axis in grid { parts.append("`\(axis.path)` ∈ {\(axis.values.map(\.description).joined(separator: ", "))}") }
        for v in variants { parts.append(w.f("variant `%@`: `%@`", v.name, v.patch.description)) }
        parts.append(w.f("seeds %@", seeds.map(String.init).joined(separator: ", ")))
        return parts.joined(separator: "; ")
    }
}

/// Reads `kinds`: a non-empty list of attention kind names.
func decodeKinds(_ c: StrictContainer) throws -> [AttentionKind] {
    let names = try c("kinds", as: [String].self)
    let allowed = AttentionKind.allCases.map(\.rawValue)
    guard !names.isEmpty else { throw c.invalid("kinds", "must list at least one attention kind") }
    return try names.enumerated().map { i, n in
        guard let k = AttentionKind(rawValue: n) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [AnyKey("kinds[\(i)]")],
                debugDescription: "'\(n)' is not allowed; choose from \(allowed.joined(separator: ", "))"))
        }
        return k
    }
}

/// Runs `body`, turning its `ConfigError`s and `DecodingError`s into decoding errors under `path`.
func prefixingErrors(_ path: [CodingKey], _ body: () throws -> Void) throws {
    do { try body() } catch let ConfigError.invalid(field, message) {
        throw DecodingError.dataCorrupted(.init(codingPath: path + [AnyKey(field)], debugDescription: message))
    } catch let DecodingError.keyNotFound(key, context) {
        throw DecodingError.keyNotFound(key, .init(codingPath: path + context.codingPath, debugDescription: context.debugDescription))
    } catch let DecodingError.typeMismatch(type, context) {
        throw DecodingError.typeMismatch(type, .init(codingPath: path + context.codingPath, debugDescription: context.debugDescription))
    } catch let DecodingError.valueNotFound(type, context) {
        throw DecodingError.valueNotFound(type, .init(codingPath: path + context.codingPath, debugDescription: context.debugDescription))
    } catch let DecodingError.dataCorrupted(context) {
        throw DecodingError.dataCorrupted(.init(codingPath: path + context.codingPath, debugDescription: context.debugDescription))
    }
}
