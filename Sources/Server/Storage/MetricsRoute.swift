import Foundation
import Hummingbird
import Prometheus
import Recorder

/// `GET /metrics` in the Prometheus text format (docs/api.md, "Metrics").
///
/// Counters are kept where the work happens (the ingest status, the writer, retention) as plain
/// numbers, so the hot paths never touch a metrics library; each scrape copies them into a fresh
/// registry. Only the flush-duration histogram lives in a long-lived registry, fed after each flush.
struct MetricsRoute<Context: RequestContext>: Sendable {
    let recorder: Recorder
    let observer: RecordingObserver
    let persistent: PrometheusCollectorRegistry

    func register(on routes: Routes<Context>) {
        routes.get("metrics", .roles(), APIDoc("Prometheus metrics", answer: .file("text/plain")), use: metrics)
    }

    func metrics(_ request: Request, context: Context) async throws -> Response {
        let registry = PrometheusCollectorRegistry()
        let statuses = await recorder.allStatuses()
        for (camera, s) in statuses {
            let labels = [("camera", String(camera))]
            registry.gauge("aula_camera_up", labels: labels, help: "1 while the camera streams").set(to: s.state == .streaming ? 1 : 0)
            registry.counter("aula_ingest_frames_total", labels: labels, help: "Frames received").increment(by: Int64(s.framesReceived))
            registry.counter("aula_ingest_key_frames_total", labels: labels, help: "Key frames received").increment(by: Int64(s.keyFrames))
            registry.counter("aula_ingest_sequence_gaps_total", labels: labels, help: "Breaks in RTP sequence numbers").increment(by: Int64(s.gaps))
            registry.counter("aula_ingest_lost_packets_total", labels: labels, help: "RTP packets lost").increment(by: Int64(s.lostPackets))
            registry.counter("aula_ingest_dropped_frames_total", labels: labels, help: "Frames dropped by the depacketiser").increment(by: Int64(s.droppedFrames))
            registry.counter("aula_ingest_connections_total", labels: labels, help: "RTSP sessions opened").increment(by: Int64(s.connections))
            registry.gauge("aula_ingest_bitrate_bits_per_second", labels: labels, help: "Bit rate over the last seconds").set(to: Double(s.bitrate ?? 0))
            registry.gauge("aula_ingest_frames_per_second", labels: labels, help: "Frame rate over the last seconds").set(to: s.fps ?? 0)
        }
        for (camera, s) in observer.writer.cameraStats() {
            let labels = [("camera", String(camera))]
            registry.counter("aula_writer_frames_total", labels: labels, help: "Frames written to sample files").increment(by: Int64(s.framesWritten))
            registry.counter("aula_writer_bytes_total", labels: labels, help: "Bytes written to sample files").increment(by: s.bytesWritten)
            registry.counter("aula_writer_frames_dropped_total", labels: labels, help: "Frames lost to failed writes").increment(by: Int64(s.framesDropped))
        }
        for (key, u) in try await observer.usageCache.streams() {
            let labels = [("camera", String(key.camera)), ("stream", key.stream.name)]
            registry.gauge("aula_recordings_bytes", labels: labels, help: "Bytes of recorded video in the index").set(to: Double(u.bytes))
            registry.gauge("aula_recordings_oldest_timestamp_seconds", labels: labels, help: "Start of the oldest recording").set(to: Double(u.oldest90k) / 90_000)
            registry.gauge("aula_recordings_newest_timestamp_seconds", labels: labels, help: "End of the newest committed recording").set(to: Double(u.newest90k) / 90_000)
        }
        let flushes = observer.writer.flushTotals
        registry.counter("aula_writer_flushes_total", help: "Flushes (fsync, then one index transaction)").increment(by: Int64(flushes.flushes))
        registry.counter("aula_writer_flush_seconds_total", help: "Time spent flushing").increment(by: flushes.seconds)
        registry.counter("aula_writer_committed_rows_total", help: "Index rows committed").increment(by: Int64(flushes.rows))
        registry.counter("aula_writer_write_failures_total", help: "Failed writes (full disk, I/O errors)").increment(by: Int64(observer.writer.writeFailures.failures))
        let state = observer.storage.snapshot
        registry.counter("aula_retention_deleted_recordings_total", help: "Recordings deleted by retention").increment(by: Int64(state.deletedRecordings))
        registry.counter("aula_retention_deleted_bytes_total", help: "Bytes deleted by retention").increment(by: state.deletedBytes)
        let volume = VolumeSpace.of(observer.writer.layout.root)
        if let volume {
            registry.gauge("aula_storage_volume_bytes", help: "Size of the volume holding recordings").set(to: Double(volume.totalBytes))
            registry.gauge("aula_storage_available_bytes", help: "Free space on that volume").set(to: Double(volume.availableBytes))
        }
        let pressure = observer.pressure(volume: volume, recordingsBytes: try await observer.usageCache.totalBytes())
        for level in ["ok", "high", "full"] {
            registry.gauge("aula_storage_pressure", labels: [("level", level)], help: "1 for the current disk pressure level").set(to: level == pressure ? 1 : 0)
        }
        var bytes = registry.emitToBuffer()
        persistent.emit(into: &bytes)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension PrometheusCollectorRegistry {
    /// A counter named `name` exactly (the descriptor's other parts stay empty).
    func counter(_ name: String, labels: [(String, String)] = [], help: String) -> Counter {
        makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
