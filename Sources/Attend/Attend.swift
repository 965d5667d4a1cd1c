/// Umbrella module: `import Attend` brings in every layer of the library.
@_exported import AttendKernels
@_exported import AttendTensor
@_exported import AttendNN
@_exported import AttendData
@_exported import AttendModels
@_exported import AttendTrain
@_exported import AttendExperiments
