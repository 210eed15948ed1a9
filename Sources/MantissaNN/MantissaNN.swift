public enum MantissaNN {}
