"""The parts of training around the released graph (src/trainer.py, HMRTrainer):

- `contract`: `LoopModel`, what the loop needs from a model (fetches, summaries, a picture callable,
  checkpoints, a status line) and all it reads of one;
- `checkpoints`: where a run starts (resume, a pretrained encoder, scratch) and its saves;
- `image_summaries`: the keypoint and mesh pictures drawn into TensorBoard;
- `loop`: running steps until done or stopped (signals, progress, timing, periodic saves, summaries,
  the errors a user can act on).
"""
