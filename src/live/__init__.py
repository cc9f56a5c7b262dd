"""Live capture: a camera or a stream in, each processed frame's bodies out as it comes (VMC over OSC,
an MJPEG preview, a status line), and the capture recorded as the video demo writes a video."""
