import APIInput
import Catalog

/// A camera id from a path parameter or body field, with the one error every route gives for a bad one.
enum CameraID {
    /// `text` as a camera id; a 404 naming `field` when it is not a positive whole number.
    static func parse(_ text: String?, field: String = "id") throws -> Int64 {
        guard let id = PathID.parse(text) else {
            throw ProblemDetails(status: .notFound, detail: "camera ids are positive whole numbers", errors: [FieldError(field: field, message: "must be a positive whole number")])
        }
        return id
    }

    /// `text` as the id of a camera that exists in `store`; a 404 otherwise.
    static func existing(_ text: String?, in store: any CameraStore, field: String = "id") async throws -> Camera {
        let id = try parse(text, field: field)
        guard let camera = try await store.camera(id: id) else { throw ProblemDetails.notFound("camera \(id) does not exist") }
        return camera
    }
}
