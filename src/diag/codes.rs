//! Every diagnostic code of the compiler, with its one-line summary.
//!
//! Codes are stable: REV0xx syntax, REV1xx names and types, REV2xx lints, REV3xx runtime.
//! docs/errors.md lists each with an example, and a test fails when a code has no fixture.

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $summary:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in messages, e.g. `REV001`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// What the code means, in one line.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    /// The text does not follow the grammar: `if lead score at least then Sales Lead`.
    Syntax = "REV001", "syntax error";
    /// A file goes past a limit of the compiler, e.g. parentheses nested 300 deep.
    Limit = "REV002", "a limit of the compiler is exceeded";
    /// The file is not UTF-8 text.
    NotUtf8 = "REV003", "the file is not UTF-8 text";

    /// A stage name that the model does not declare: `then Sales Laed`.
    UnknownStage = "REV101", "unknown stage";
    /// `in smart list "X"` where no smart list `X` exists.
    UnknownSmartList = "REV102", "unknown smart list";
    /// A campaign that changes the stage in a model that does not exist.
    UnknownModel = "REV103", "unknown model";
    /// A field that the `fields` block does not declare (when the file has one).
    UnknownField = "REV104", "unknown field";
    /// A type in `fields` other than text, number, date, boolean.
    UnknownType = "REV105", "unknown field type";
    /// A `status` other than draft, stages approved, approved.
    UnknownStatus = "REV106", "unknown model status";
    /// Two `fields` entries that fold to the same field.
    DuplicateField = "REV107", "duplicate field";
    /// Two smart lists with the same name.
    DuplicateSmartList = "REV108", "duplicate smart list";
    /// Two models with the same name.
    DuplicateModel = "REV109", "duplicate model";
    /// Two stages (or detours) of one model with the same name.
    DuplicateStage = "REV110", "duplicate stage";
    /// A stage listed in more than one phase, or twice in one.
    DuplicatePhaseMember = "REV111", "stage in more than one phase";
    /// Two campaigns with the same name.
    DuplicateCampaign = "REV112", "duplicate campaign";
    /// Two phases of one model with the same name.
    DuplicatePhase = "REV113", "duplicate phase";
    /// More than one `status` line, or more than one `assignment rules` block, in a model.
    DuplicateSection = "REV114", "repeated model section";

    /// An operator that does not apply to the field's type: `Country at least 3` on a text field.
    OperatorType = "REV120", "operator does not apply to the field's type";
    /// A value that is not a number where a number is needed: `Lead Score at least forty`.
    BadNumber = "REV121", "bad number";
    /// A value that is not a date where a date is needed: `Created At before 2024-13-01`.
    BadDate = "REV122", "bad date";
    /// `between` with its low bound above its high bound.
    BetweenReversed = "REV123", "`between` bounds are reversed";
    /// A list of values after an operator that takes one: `Lead Score at least 10, 20`.
    ValueList = "REV124", "operator takes one value";
    /// Two uses of an undeclared field that imply different types.
    TypeConflict = "REV125", "conflicting field types";
    /// A value that is not a boolean where a boolean is needed: `Unsubscribed is maybe`.
    BadBoolean = "REV126", "bad boolean";
    /// An `in past`/`in future` amount that is not a whole number from 0 to 100000.
    BadAmount = "REV127", "bad amount of time";

    /// A smart list's `match` names a filter number it does not have.
    UnknownFilterNumber = "REV130", "unknown filter number";
    /// Two filters of one smart list with the same number.
    DuplicateFilterNumber = "REV131", "repeated filter number";
    /// Smart lists that include each other in a cycle.
    SmartListCycle = "REV132", "smart lists include each other";

    /// A gate stage with no `otherwise` transition out of it.
    GateWithoutOtherwise = "REV140", "gate without an `otherwise` transition";
    /// An `sla` stage without a duration.
    SlaWithoutDuration = "REV141", "SLA stage without a duration";
    /// More than one `default` in assignment rules.
    DuplicateDefault = "REV142", "more than one `default`";
    /// A campaign whose stage is not a stage of its model.
    CampaignStage = "REV143", "campaign stage not in its model";
    /// More than one `otherwise` transition out of one stage.
    DuplicateOtherwise = "REV144", "more than one `otherwise` out of a stage";

    /// A test's lead sets a field that no rule reads and `fields` does not declare.
    TestUnknownField = "REV150", "test sets an unknown field";
    /// A test that names no model in a file with several models (or none).
    TestModel = "REV151", "test does not say which model";
    /// Two tests with the same name.
    DuplicateTest = "REV152", "duplicate test";
    /// A test's lead sets one field twice.
    TestDuplicateValue = "REV153", "test sets a field twice";

    /// An assignment rule or transition that earlier ones always take first.
    UnreachableRule = "REV201", "rule or transition that no lead can reach";
    /// A condition or smart list that no lead satisfies.
    Contradiction = "REV202", "condition that no lead satisfies";
    /// A condition or smart list that every lead satisfies.
    Tautology = "REV203", "condition that every lead satisfies";
    /// Assignment rules without `default` that leave some leads unassigned.
    Gap = "REV204", "assignment rules leave some leads unassigned";
    /// A stage that nothing can put a lead in.
    UnreachableStage = "REV205", "stage that no lead can enter";
    /// A non-final success-path stage with no transition out.
    DeadEnd = "REV206", "success-path stage with no way out";
    /// An SLA stage with no transition out.
    SlaWithoutExit = "REV207", "SLA stage with no transition out";
    /// A transition from a stage to itself.
    SelfTransition = "REV208", "transition from a stage to itself";
    /// A detour listed in a phase of success-path stages.
    DetourInPhase = "REV209", "detour in a success-path phase";
    /// Transitions out of one stage whose conditions overlap.
    OverlappingTransitions = "REV210", "transitions out of one stage overlap";
    /// A smart list that nothing uses.
    UnusedSmartList = "REV211", "unused smart list";
    /// A `fields` entry that no condition reads.
    UnusedField = "REV212", "unused field";
    /// A value written twice in one list.
    RepeatedValue = "REV213", "value repeated in a list";
    /// `is 0` (or `is not 0`) on a number field, which also decides empty values.
    IsZero = "REV214", "`is 0` also matches empty values";
    /// An `is` list on a text field that mixes numbers and words.
    MixedValueList = "REV215", "value list mixes numbers and words";
    /// More than one model with `status approved` in one file.
    MultipleApprovedModels = "REV216", "more than one approved model";
    /// A `# revc: ignore[...]` comment that suppressed nothing.
    UnusedSuppression = "REV217", "suppression that suppressed nothing";
}
