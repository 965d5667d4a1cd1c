import ArgumentParser
import Attend
import Foundation

/// `attend export`: a checkpoint in another tool's format.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint for another tool: a Hugging Face GPT-2 folder, or a PyTorch module + weights.",
        discussion: HelpExamples.discussion("export-model"),
        subcommands: [HF.self, PyTorch.self])

    /// `attend export hf`: a decoder-only character model as a transformers GPT-2 folder.
    struct HF: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hf",
            abstract: "Write a character language model as a Hugging Face GPT-2 folder (GPT2LMHeadModel.from_pretrained loads it).",
            discussion: HelpExamples.discussion("export-hf", """
                Writes config.json, model.safetensors (GPT-2 names, Conv1D [in, out] layout), tokenizer.json and \
                tokenizer_config.json. Refuses, naming the setting, what GPT-2 cannot express: attention other than \
                softmax, relative-position biases, dot-product-free or rotary attention, no learned positions, post-LN, \
                activations other than GELU (gelu → gelu_new, gelu-exact → gelu). bias false is written as zero biases.
                """))
        @Option(help: "Run folder or checkpoint folder of a character language model.") var checkpoint: String
        @Option(help: "Folder to write.") var out: String

        func run() throws {
            try reportingErrors {
                try HuggingFaceExport.write(checkpoint: try Checkpoint.resolve(checkpoint), to: URL(fileURLWithPath: out))
                writeError("wrote \(out) (load with transformers.GPT2LMHeadModel.from_pretrained(\"\(out)\"))\n")
            }
        }
    }

    /// `attend export pytorch`: model.py + weights under Attend's names + a torchrun stub.
    struct PyTorch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pytorch",
            abstract: "Write a checkpoint (either model family) as a self-contained PyTorch module, its weights and a torchrun/DDP training stub.",
            discussion: HelpExamples.discussion("export-pytorch", """
                Writes model.py (Attend's forward: softmax, linear and linear-relu attention), model.safetensors \
                (Attend's tensor names), attend_config.json, attend_state.json and train_ddp.py. Weights trained \
                from it come back with `attend import`.
                """))
        @Option(help: "Run folder or checkpoint folder written by `attend train`.") var checkpoint: String
        @Option(help: "Folder to write.") var out: String

        func run() throws {
            try reportingErrors {
                try PyTorchExport.write(checkpoint: try Checkpoint.resolve(checkpoint), to: URL(fileURLWithPath: out))
                writeError("wrote \(out) (python -c \"import model; model.load('.')\" inside it; torchrun train_ddp.py to train on)\n")
            }
        }
    }
}

/// `attend import`: weights from an `attend export pytorch` folder (retrained or not) as a run folder.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring weights from an `attend export pytorch` folder (e.g. trained with train_ddp.py) back into a run folder.",
        discussion: HelpExamples.discussion("import", """
            The run folder gets config.json and a checkpoint at the exported step with the folder's weights and \
            fresh (zero) Adam moments: generate, translate, eval, train --resume and train --init-from read it.
            """))
    @Option(help: "Folder written by `attend export pytorch` or by its train_ddp.py --out.") var from: String
    @Option(help: "Run folder to write (must not hold checkpoints).") var out: String

    func run() throws {
        try reportingErrors {
            let checkpoint = try PyTorchExport.importFolder(URL(fileURLWithPath: from), run: URL(fileURLWithPath: out))
            writeError("wrote \(checkpoint.path)\n")
        }
    }
}
