//! The offline writer's phrase tables. Placeholders: `{kw}` the primary keyword, `{alt}` a
//! secondary keyword, `{h}` the section's topic (lower case), `{H}` its heading, `{rel}` a
//! related article's keyword. General advice in the second person only: nothing here claims
//! an experience, a test, a source or a statistic, because no one had them.

/// The first sentence of a section; each is used once per article.
pub(super) const OPENERS: &[&str] = &[
    "{H}: this is where the practical side of {kw} starts to show.",
    "This section looks at {h}, one step at a time.",
    "Of everything around {kw}, {h} tends to raise the most questions.",
    "It is worth slowing down for {h}, because it shapes several of the decisions that follow.",
    "{H} deserves a closer look before going any further.",
    "Many readers skip past {h}, and it often costs them time later.",
    "The next thing to get straight is {h}.",
    "Here the attention turns to {h} and what it means for you.",
    "A short look at {h} makes the rest of the picture clearer.",
    "Before anything else, it helps to understand {h}.",
    "The questions in this part all come back to {h}.",
    "Now for {h}, which is simpler than it first looks.",
];

/// Sentences tied to the section's topic: they read differently in every section.
pub(super) const SECTION: &[&str] = &[
    "When you think about {h}, start with what you actually need rather than what sounds impressive.",
    "The simplest way into {h} is to write down your goal in one sentence and check each option against it.",
    "With {h}, small details tend to matter more than the headline features.",
    "A useful habit with {h} is to compare two options side by side under the same conditions.",
    "Getting {h} right early saves a fair amount of backtracking later.",
    "Much of the confusion around {h} disappears once the basic terms are clear.",
    "For {h}, a short checklist is often more useful than a long list of opinions.",
    "The trade-offs in {h} depend on your budget, your time and how often you will use {kw}.",
    "If {h} still feels unclear, go back to the basics of {kw} before adding detail.",
    "A good test for {h} is whether the choice still makes sense after a week of normal use.",
    "Anyone new to {kw} can treat {h} as a set of questions to answer in order.",
    "It is fine to revisit {h} once you know more; first decisions are rarely final ones.",
    "The points about {h} also connect to {alt}, so keep both in view.",
    "People who come back to {h} later usually wish they had taken notes the first time.",
    "Clear priorities turn {h} from a long comparison into a short one.",
    "There is rarely one right answer for {h}; there are answers that fit different situations.",
];

/// General sentences, each used at most once per article. They start in lower case so a
/// transition can go before them.
pub(super) const GENERAL: &[&str] = &[
    "people who look into {kw} want results they can rely on, not a long list of promises.",
    "a sensible approach is to start small, note what works, and adjust as you learn more.",
    "it helps to write down what you need before comparing anything, because {kw} covers a wide range of choices.",
    "budget matters, but so does the time you are willing to spend, and the two rarely balance at first.",
    "{alt} is closely related, and looking at both usually gives a clearer picture.",
    "the basics are worth checking twice: cost, quality, and how well a choice fits your routine.",
    "the best choice depends on your goals and your situation rather than on a universal rule.",
    "a common mistake is to decide too early, before the trade-offs are clear.",
    "small details make a big difference with {kw}, especially after the first few weeks.",
    "talking to someone who has made the same decision can save a lot of guesswork.",
    "reviews and recommendations work best as a starting point rather than a final verdict.",
    "it pays to think about how your needs may change over the next year, not only about today.",
    "differences that look minor on paper can matter once you compare options side by side.",
    "keeping short notes as you go makes the next decision about {alt} much easier.",
    "quality shows itself in use, so give any new approach a fair trial before judging it.",
    "most questions about {kw} come back to the same few fundamentals.",
    "it is easy to overcomplicate {kw}, yet the basics carry most of the value.",
    "a little preparation goes a long way and saves both money and frustration.",
    "trying a choice on a small scale first is cheaper than learning the same lesson late.",
    "clear goals make every later step simpler, from research to the final decision.",
    "{alt} is a natural next step once the basics of {kw} are in place.",
    "the right choice is the one you will keep using, even in a busy week.",
    "consistent results over time say more than a single impressive claim.",
    "shortcuts that promise everything at once rarely last, and steady progress usually wins.",
    "comparing two or three options in the same conditions reveals more than reading about ten.",
    "what works for one reader may not suit another, so treat advice about {kw} as a menu, not a rulebook.",
    "the cheapest option and the best value are rarely the same thing.",
    "a quick checklist keeps the important points about {alt} from slipping through the cracks.",
    "it is worth setting a limit on research time so that planning does not replace doing.",
    "a plan you can explain in two sentences is usually a plan you can follow.",
    "the first attempt at {kw} does not need to be perfect; it needs to be a fair start.",
    "good decisions about {kw} usually come from a handful of clear criteria, not from dozens.",
    "price tells you something, but how a choice holds up over months tells you more.",
    "it helps to separate what you must have from what would merely be nice.",
    "when two options seem equal, the easier one to maintain is often the better pick.",
    "being honest about how much time you have makes every other choice clearer.",
    "a second look a day later often catches what a quick decision misses.",
    "{alt} can change the picture, so it is worth a look before you settle on anything.",
    "labels and marketing terms vary a lot, so compare what things do rather than what they are called.",
    "it is normal to adjust course as you go; the aim is progress, not a flawless first try.",
    "the details that matter most with {kw} are usually the ones you notice every day.",
    "a realistic budget keeps {kw} enjoyable instead of stressful.",
    "asking what problem you are solving keeps the comparison focused.",
    "a modest, well-understood choice often beats an ambitious one that is hard to live with.",
    "a simple routine you repeat is worth more than an elaborate one you abandon.",
    "the questions you ask at the start decide how useful the answers will be.",
    "it is worth reading the small print on anything that costs more than a few days of effort.",
    "when advice conflicts, the version that matches your own situation is the one to follow.",
    "an honest list of constraints narrows the field faster than any ranking.",
    "a decision made with a clear reason is easier to revisit than one made on impulse.",
    "there is no prize for choosing the most complicated option.",
    "what looks like a small saving at first can turn into extra work later, and the reverse is also true.",
    "the easiest improvements usually come from fixing one obvious weak spot.",
    "it helps to picture an ordinary week and ask how each option would fit into it.",
    "a short pause before committing is cheap, while undoing a hasty choice is not.",
    "good information is specific, so be wary of claims that sound impressive but say little.",
    "it is sensible to keep a small margin in both budget and time for surprises.",
    "the goal is a result that works for you, not one that looks perfect on paper.",
    "checking one thing at a time makes it clear what actually made a difference.",
    "the most useful comparisons use the same yardstick for every option.",
    "some choices are easy to change later and some are not, so spend your care on the second kind.",
    "a written plan, even a rough one, makes it easier to notice when things drift.",
    "it is reasonable to start with the option that is easiest to undo.",
    "looking after the basics regularly prevents most of the bigger problems.",
    "popular choices are popular for a reason, but that reason may not be yours.",
    "it helps to know what you will measure before you start, so progress is easy to see.",
    "the right amount of detail is the amount that changes a decision; the rest can wait.",
    "most setbacks are easier to fix when they are noticed early.",
    "sharing your plan with someone else is a quick way to find its gaps.",
    "a clear order of steps keeps the work manageable, even when there is a lot of it.",
    "expectations that are realistic from the start make the results more satisfying.",
    "one well-chosen option usually serves better than several half-used ones.",
    "the time to compare carefully is before spending, not after.",
    "a calm, methodical approach tends to beat a rushed one, even when time is short.",
    "it is worth asking what you would do differently if you were starting again today.",
    "a bit of curiosity about how things work makes every later decision easier.",
    "the last few percent of quality often cost more than all the rest, so decide whether you need them.",
    "it pays to keep things simple until there is a clear reason to add more.",
    "practical limits such as space, time and money shape the answer as much as preferences do.",
    "an option that is easy to look after will usually last longer.",
];

/// Transitions before a general sentence; most sentences get none, or they read as a tic.
pub(super) const PREFIXES: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "In practice, ",
    "For most readers, ",
    "As a rule, ",
    "Over time, ",
    "Put simply, ",
];

/// Where a related article's keyword is mentioned: in paragraph text, so a link can sit on it.
pub(super) const RELATED: &[&str] = &[
    "If this raises questions about {rel}, that subject has its own trade-offs and is worth reading about separately.",
    "Readers weighing these options often look into {rel} as well.",
    "The same reasoning carries over to {rel}, with a few differences in the details.",
    "It can help to read up on {rel} too, since the two topics overlap.",
    "Some of these points apply just as much to {rel}.",
    "For a wider view, {rel} is a closely connected topic.",
    "Anyone comparing options here may also want to understand {rel}.",
    "This is also where {rel} comes into the picture for many readers.",
];

/// Closing sentences for a section (each at most once per article).
pub(super) const CLOSERS: &[&str] = &[
    "With that in place, the next section is much easier to follow.",
    "Keep this in mind as you read on, because it comes up again later.",
    "In short, a steady, sensible approach beats a perfect plan that never starts.",
    "That is the core of it; the rest comes with practice.",
    "Get this part right and much of what follows falls into place.",
];

/// Checklist items, shared out so no item appears twice in an article.
pub(super) const CHECKLIST: &[&str] = &[
    "Be clear about what you need from {kw}.",
    "Compare at least two options under the same conditions.",
    "Write down what works, including anything you learn about {alt}.",
    "Set a budget before you start comparing.",
    "Check how much time each option asks of you.",
    "Decide which features you must have and which are only nice to have.",
    "Try the simplest option first and build from there.",
    "Look again after a week of normal use.",
    "Keep notes on what you would change next time.",
    "Ask whether {alt} changes your decision.",
    "Check the running costs, not only the price at the start.",
    "Make one change at a time so you can see what made the difference.",
];

/// FAQ entries: a question and its short answer.
pub(super) const FAQ: &[(&str, &str)] = &[
    (
        "Where should a beginner start with {kw}?",
        "Start with the basics: be clear about your goal, set a budget, and compare two or three options before committing.",
    ),
    (
        "How does {alt} relate to {kw}?",
        "They overlap. {Alt} is worth understanding alongside {kw}, because choices about one often affect the other.",
    ),
    (
        "What is the most common mistake with {kw}?",
        "Deciding too early. Take time to list your priorities first, and the right option is usually easier to spot.",
    ),
    (
        "How much time does {kw} take to get right?",
        "Less than it seems. A few focused steps cover most of the value, and the rest can be refined as you go.",
    ),
    (
        "Is the most expensive option always the best?",
        "No. The best value is the option that fits your needs and that you will keep using, whatever its price.",
    ),
];
