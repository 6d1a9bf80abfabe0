import Foundation
import Motion
import Simulator

// MotionBench: the motion evaluation and the CPU benchmark (docs/motion.md, docs/performance.md).
//
//   swift run -c release --scratch-path .build-motion MotionBench evaluate [--scale F] [--cache DIR]
//   swift run -c release --scratch-path .build-motion MotionBench cpu [--seconds S] [--cameras N] [--cache DIR]
//   swift run -c release --scratch-path .build-motion MotionBench timeline [--codec h265] [--night true] [--seed N] [--gap S] [--seconds S]

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "help"

func option(_ name: String, _ fallback: String) -> String {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let i = arguments.firstIndex(of: "--\(name)"), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}

do {
    switch command {
    case "evaluate":
        let ok = try Evaluate(scale: Double(option("scale", "1")) ?? 1, cache: option("cache", "./aula-data/motion-cache")).run()
        exit(ok ? 0 : 1)
    case "cpu":
        try CPUBench(seconds: Int(option("seconds", "60")) ?? 60, cameras: Int(option("cameras", "16")) ?? 16,
                     realtimeSeconds: Int(option("realtime-seconds", "30")) ?? 30, cache: option("cache", "./aula-data/motion-cache")).run()
    case "timeline":
        var spec = SceneSpec()
        spec.codec = option("codec", "h264") == "h265" ? .h265 : .h264
        spec.night = option("night", "false") == "true"
        spec.seed = UInt64(option("seed", "301")) ?? 301
        spec.meanGap = Double(option("gap", "60")) ?? 60
        spec.loopSeconds = Int(option("seconds", "120")) ?? 120
        spec.width = Int(option("width", "1280")) ?? 1280
        spec.height = spec.width * 9 / 16
        try Timeline(spec: spec, cache: option("cache", "./aula-data/motion-cache"),
                     decoding: MotionSettings.Decoding(rawValue: option("decoding", "keyFramesWhenQuiet")) ?? .keyFramesWhenQuiet).run()
    default:
        print("usage: MotionBench evaluate [--scale F] [--cache DIR] | cpu [--seconds S] [--cameras N] [--realtime-seconds S] [--cache DIR]")
        print("       MotionBench timeline [--codec h264|h265] [--night true] [--seed N] [--gap S] [--seconds S] [--width 640] [--decoding everyFrame] [--cache DIR]")
        exit(command == "help" ? 0 : 2)
    }
} catch {
    print("MotionBench: \(error)")
    exit(1)
}
