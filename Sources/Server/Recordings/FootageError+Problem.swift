import APIInput
import Footage

extension FootageError {
    /// The answer a client gets (``ProblemMiddleware``).
    var problem: ProblemDetails {
        switch self {
        case .noVideo(let camera, let start, let end, let damaged):
            let reason = damaged == 0 ? "" : " (\(damaged) damaged recording(s) left out)"
            return ProblemDetails(status: .notFound, title: "No video",
                                  detail: "camera \(camera) has no recorded video between \(Time90k.format(start)) and \(Time90k.format(end))\(reason)")
        case .missing(let path):
            return ProblemDetails(status: .internalServerError, detail: "sample file \(path) disappeared while being served")
        case .short(let path):
            return ProblemDetails(status: .internalServerError, detail: "sample file \(path) is shorter than its index")
        }
    }
}
