/// The loop's judgement of one window, run under the engine's lock: promote, keep, undo or act.
extension Ledger {
    /// What the engine must do outside the lock after a judgement.
    enum OptimizerEffect: Sendable {
        /// The setting changed (new revision): push it to the pool, the cache and the queue.
        case applySetting
        case defragment(OptimizerAction)
        case saveLearning
    }

    mutating func judge(_ summary: WindowSummary, context: OptimizerAction.Context, now: Double,
                        selfOptimizing: Bool, minSamples: Int, validationWindow: Double) -> [OptimizerEffect] {
        var effects: [OptimizerEffect] = []
        optimizer.windows += 1
        for kind in context.poolRuntimes {
            optimizer.idleWindows[kind] = summary.runnerWaits[kind] == nil ? (optimizer.idleWindows[kind] ?? 0) + 1 : 0
        }
        for key in optimizer.cooldown.keys { optimizer.cooldown[key]! -= 1 }
        optimizer.cooldown = optimizer.cooldown.filter { $0.value > 0 }
        let enough = summary.runs >= minSamples
        let transitional = enough && optimizer.steadyWindows < 0
        if enough { optimizer.steadyWindows += 1 }

        if let validation = optimizer.validation {
            if enough, let baseline = validation.baseline, let reason = Degradation.reason(summary, baseline: baseline) {
                effects += handleDegradation(validation, reason: reason, selfOptimizing: selfOptimizing, now: now)
                return effects
            }
            if enough, !transitional, var trial = optimizer.trial, trial.revision == validation.revision {
                switch trial.action.judge(before: trial.before, after: summary) {
                case .kept(let effect):
                    optimizer.trial = nil
                    record(trial.action, success: true, outcome: "kept", effect: effect, revision: trial.revision)
                    effects.append(.saveLearning)
                case .failed(let effect):
                    optimizer.trial = nil
                    record(trial.action, success: false, outcome: "rolled back", effect: effect, revision: trial.revision)
                    optimizer.cooldown[trial.action.kind.rawValue] = 6
                    effects.append(.saveLearning)
                    if let revision = revisions.rollback(to: trial.previous, by: "optimizer", reason: "\(trial.action.label) did not help") {
                        events.append(.info, "optimizer: \(trial.action.label) rolled back: \(effect) (revision \(revision.number))")
                        startValidation(of: revision.number, at: now, baseline: trial.before)
                        effects.append(.applySetting)
                    }
                    return effects
                case .undecided:
                    trial.undecidedWindows += 1
                    optimizer.trial = trial
                    if trial.undecidedWindows >= 3 {
                        optimizer.trial = nil
                        record(trial.action, success: false, outcome: "rolled back", effect: "no runs to measure it on",
                               revision: trial.revision)
                        if let revision = revisions.rollback(to: trial.previous, by: "optimizer", reason: "could not be measured") {
                            startValidation(of: revision.number, at: now, baseline: trial.before)
                            effects.append(.applySetting)
                        }
                        effects.append(.saveLearning)
                        return effects
                    }
                }
            }
            if optimizer.trial == nil, now - validation.since >= validationWindow {
                revisions.markKnownGood(validation.revision)
                events.append(.info, "revision \(validation.revision) is known-good (held \(Int(validationWindow)) s without degradation)")
                optimizer.validation = nil
                optimizer.baseline = enough && !transitional ? summary : optimizer.baseline
            } else {
                optimizer.validation = validation
            }
            return effects
        }

        guard enough, !transitional else { return effects }
        optimizer.baseline = summary
        guard selfOptimizing, optimizer.abTest == nil, optimizer.trial == nil else { return effects }
        let candidates = OptimizerAction.candidates(summary, context).filter {
            optimizer.cooldown[$0.kind.rawValue] == nil && !optimizer.disabled.contains($0.kind.rawValue)
        }
        guard !candidates.isEmpty else { return effects }
        let kinds = Array(Set(candidates.map(\.kind.rawValue))).sorted()
        guard let chosenKind = optimizer.bandit.choose(among: kinds, using: &optimizer.generator),
              let action = candidates.first(where: { $0.kind.rawValue == chosenKind }) else { return effects }
        guard let setting = action.setting else {
            effects.append(.defragment(action))
            return effects
        }
        let previous = revisions.current
        guard let revision = revisions.apply(setting, by: "optimizer", note: action.label) else { return effects }
        var decision = OptimizerDecision(action: action.label, reason: action.reason, outcome: "applied")
        decision.revision = revision.number
        optimizer.decide(decision)
        events.append(.info, "optimizer: \(action.label) (\(action.reason)), revision \(revision.number)")
        optimizer.trial = OptimizerState.Trial(action: action, revision: revision.number, previous: previous, before: summary)
        startValidation(of: revision.number, at: now, baseline: summary)
        effects.append(.applySetting)
        return effects
    }

    /// A revision made things worse: undo it (the optimizer's own step, or anyone's change while
    /// self-optimization is on), or say so once when the loop may not act.
    private mutating func handleDegradation(_ validation: OptimizerState.Validation, reason: String,
                                            selfOptimizing: Bool, now: Double) -> [OptimizerEffect] {
        let changed = revisions.revisions.first { $0.number == validation.revision }
        let what = changed.map { "revision \($0.number) by \($0.by)" + ($0.summary.isEmpty ? "" : " (\($0.summary))") } ?? "revision \(validation.revision)"
        if let trial = optimizer.trial, trial.revision == validation.revision {
            optimizer.trial = nil
            record(trial.action, success: false, outcome: "rolled back", effect: reason, revision: trial.revision)
            optimizer.cooldown[trial.action.kind.rawValue] = 6
            guard let revision = revisions.rollback(to: trial.previous, by: "optimizer", reason: "degraded: \(reason)") else { return [.saveLearning] }
            events.append(.warning, "optimizer: \(trial.action.label) degraded \(reason); rolled back (revision \(revision.number))")
            startValidation(of: revision.number, at: now, baseline: validation.baseline)
            return [.applySetting, .saveLearning]
        }
        guard selfOptimizing else {
            if optimizer.warnedRevision != validation.revision {
                optimizer.warnedRevision = validation.revision
                events.append(.warning, "\(what) degraded \(reason); press r to roll back to revision \(revisions.knownGood)")
            }
            return []
        }
        let target = revisions.knownGood
        guard let revision = revisions.rollback(by: "optimizer", reason: "\(what) degraded \(reason)") else { return [] }
        var decision = OptimizerDecision(action: "rollback to revision \(target)", reason: "\(what) degraded \(reason)", outcome: "rolled back")
        decision.revision = revision.number
        decision.effect = reason
        optimizer.decide(decision)
        events.append(.warning, "optimizer: \(what) degraded \(reason); rolled back to revision \(target) (now revision \(revision.number))")
        startValidation(of: revision.number, at: now, baseline: validation.baseline)
        return [.applySetting]
    }

    mutating func record(_ action: OptimizerAction, success: Bool, outcome: String, effect: String, revision: Int?) {
        optimizer.bandit.record(action.kind.rawValue, success: success)
        optimizer.learningDirty = true
        var decision = OptimizerDecision(action: action.label, reason: action.reason, outcome: outcome)
        decision.effect = effect.isEmpty ? nil : effect
        decision.revision = revision
        optimizer.decide(decision)
        if outcome == "kept" {
            events.append(.info, "optimizer: \(action.label): \(effect), kept")
        }
    }

    /// A new revision starts its validation window, judged against `baseline`. The measurement
    /// window restarts too, so no run from before the change is counted after it.
    /// A person changed the setting (a flag, the concurrency limit, a rollback): their revision is
    /// the one validated from now on. An optimizer trial still running ends unjudged, since its
    /// windows would now measure the person's change as well. Left running, it was never judged
    /// again (only the validated revision is), and while it ran the loop neither acted nor promoted
    /// the person's revision to known-good.
    mutating func userChanged(to revision: Int, at now: Double) {
        if let trial = optimizer.trial {
            optimizer.trial = nil
            var decision = OptimizerDecision(action: trial.action.label, reason: trial.action.reason, outcome: "superseded")
            decision.effect = "revision \(revision) by user came before a verdict"
            decision.revision = trial.revision
            optimizer.decide(decision)
        }
        startValidation(of: revision, at: now, baseline: nil)
    }

    mutating func startValidation(of revision: Int, at now: Double, baseline: WindowSummary?) {
        optimizer.validation = OptimizerState.Validation(revision: revision, since: now, baseline: baseline ?? optimizer.baseline)
        optimizer.window = MetricsWindow(startedAt: now)
        optimizer.steadyWindows = -1
        optimizer.loopState = loopDescription
    }
}
