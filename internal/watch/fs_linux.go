package watch

import "syscall"

// File systems whose changes made elsewhere produce no inotify events.
var noEvents = map[int64]string{
	0x6969:     "NFS",
	0x517b:     "SMB",
	0xff534d42: "CIFS",
	0xfe534d42: "SMB2",
	0x01021997: "9P (WSL on a Windows drive)",
	0x65735546: "FUSE",
}

// eventsUnreliable names why file events may not arrive for dir, or "".
func eventsUnreliable(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return ""
	}
	if name, ok := noEvents[int64(st.Type)]; ok {
		return "file events do not arrive reliably on " + name
	}
	return ""
}
