//! Loudness metering per ITU-R BS.1770-4 and EBU R128. (work in progress)
