import AttendTensor

/// Anything with trainable tensors. Conformers list what they own; traversal is derived.
///
/// `namedParameters()` yields dotted paths such as `blocks.3.attention.query.weight`; these are the
/// checkpoint keys. A tensor shared by two modules (weight tying) is listed once, under its first path.
public protocol Module: AnyObject {
    /// Tensors this module owns directly, with their local names.
    var parameters: [(name: String, tensor: Tensor)] { get }
    /// Sub-modules in forward order, with their local names.
    var children: [(name: String, module: any Module)] { get }
}

extension Module {
    public var parameters: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter with its full dotted path, shared tensors once.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, tensor: Tensor)] = []
        func visit(_ m: any Module, _ prefix: String) {
            for (n, t) in m.parameters where seen.insert(ObjectIdentifier(t)).inserted {
                result.append((prefix + n, t))
            }
            for (n, c) in m.children { visit(c, prefix + n + ".") }
        }
        visit(self, "")
        return result
    }

    /// Total number of scalar parameters.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.tensor.count } }

    /// Clears every parameter's gradient (set to none, as `zero_grad(set_to_none=True)`).
    public func zeroGradients() { for (_, t) in namedParameters() { t.grad = nil } }

    /// Copies values from `tensors` into the parameters with the same names and shapes.
    /// Throws when a name is missing or a shape differs, naming it.
    public func loadParameters(_ tensors: [String: Tensor]) throws {
        for (name, p) in namedParameters() {
            guard let t = tensors[name] else { throw ModuleError.missingParameter(name) }
            guard t.shape == p.shape else { throw ModuleError.shapeMismatch(name, expected: p.shape, found: t.shape) }
            p.copyValues(from: t)
        }
    }
}

/// Problems loading parameters into a module.
public enum ModuleError: Error, CustomStringConvertible, Equatable {
    /// Thrown by `loadParameters(_:)` when the given tensors lack the named parameter.
    case missingParameter(String)
    /// Thrown by `loadParameters(_:)` when the named parameter has shape `expected` in the module but
    /// shape `found` in the given tensors.
    case shapeMismatch(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missingParameter(n):
            return "checkpoint has no tensor '\(n)': it was saved by a model with a different configuration"
        case let .shapeMismatch(n, e, f):
            return "checkpoint tensor '\(n)' has shape \(f) but the model expects \(e): the configurations differ"
        }
    }
}
