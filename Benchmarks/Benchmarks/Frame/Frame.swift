import Benchmark
import CyberneticEngine
import CyberneticTUI

// Pairs, each measured in the same run (see ratios.py):
//   Frame/grid fill 80x24     vs  Frame/dashboard 80x24     (layout + every pane into the Canvas)
//   Frame/grid fill 240x70    vs  Frame/dashboard 240x70
// The baseline writes one character into every cell of a plain array of the same size: the
// least any frame of that size can cost. The copy to the terminal is left out: it needs a
// terminal, and ncurses' own diffing decides what it costs.

let snapshot = RealisticSnapshot.make()
let histories = RealisticSnapshot.histories(for: snapshot)
let context = RenderContext(theme: ThemeCatalog.default)
let glyphs: [Character] = Array("cybernetic ■·─│⣿⡀ 0123456789")

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 5000)

    for (width, height) in [(80, 24), (240, 70)] {
        Benchmark("Frame/grid fill \(width)x\(height)") { benchmark in
            for _ in benchmark.scaledIterations {
                var grid = [Character](repeating: " ", count: width * height)
                for i in 0..<grid.count { grid[i] = glyphs[i % glyphs.count] }
                blackHole(grid)
            }
        }

        Benchmark("Frame/dashboard \(width)x\(height)") { benchmark in
            let dashboard = Dashboard()
            let view = ViewState()
            for _ in benchmark.scaledIterations {
                blackHole(dashboard.render(snapshot: snapshot, histories: histories, view: view, context: context,
                                           width: width, height: height, themeName: "default"))
            }
        }
    }
}
