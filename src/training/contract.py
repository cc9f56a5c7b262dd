"""What the training loop needs from a model, and all it touches of one.

The loop (loop.py) knows nothing of HMR: it runs steps of any model that hands it a `LoopModel`.
The split follows nkolot/SPIN's BaseTrainer (the loop owns resuming, saving, logging and stopping; the
model says what a step is and what its summaries are), with TF 1.x graphs: a step is a set of fetches.
"""
from collections import namedtuple


class LoopModel(namedtuple('LoopModel', ['fetches', 'summary', 'picture_fetches', 'picture_summary',
                                         'draw_pictures', 'picture_every', 'global_step', 'checkpoints',
                                         'status', 'run_dir'])):
    """The model's side of the training loop; built once the graph is.

    fetches: {name: tensor or op}, what every step runs (the optimisers' updates among them); its
        values are the step's report, handed to `status` and to the loop's `on_step` listener.
    summary: the serialised tf.Summary written every step.
    picture_fetches: {name: tensor}, what a picture step runs besides: the inputs of `draw_pictures`.
    picture_summary: a serialised tf.Summary written on picture steps, or None.
    draw_pictures: callable(picture values) -> tf.Summary or None (nothing to draw).
    picture_every: a picture step every this many steps (the chief worker only).
    global_step: the step counter variable; the fetches increment it and checkpoints are named by it.
    checkpoints: restore_or_initialize(sess) -> what the run started from, in words; save(sess, step).
    status: callable(report, step, seconds) -> {name: text}, the progress bar's line after a step of
        `seconds`.
    run_dir: the run folder: TensorBoard events and the checkpoints.
    """
    __slots__ = ()
